package dev.idefics4j.model.idefics3;

import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.RgbConversion;
import dev.idefics4j.image.RgbImage;
import dev.idefics4j.processor.ImageSeqLen;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.Processor;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptImages;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.tokenizer.BatchEncoding;
import dev.idefics4j.tokenizer.Flavor;
import dev.idefics4j.tokenizer.Tokenizer;
import dev.idefics4j.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Idefics3Processor: prompts → {@link ModelInputs} with {@link Idefics3ImageInputs}. Each {@code <image>} of a
 * sample's text (an image item of a prompt) becomes, for an image cut into R x C tiles,
 * {@code <fake_token_around_image><row_r_col_c>} + {@code <image>} x L for every tile with {@code "\n"} after each
 * row of tiles, then
 * {@code "\n<fake_token_around_image><global-img>"} + {@code <image>} x L + {@code <fake_token_around_image>}; an image
 * that is not split becomes only the global part without the newline. L is image_seq_len. Adjacent images are not
 * merged. The strings are tokenized as they are (the tokenizer adds BOS where its template says so) and the images
 * go through {@link Idefics3ImageProcessor}. Images are loaded as transformers' {@code load_image} does
 * ({@link RgbConversion#DROP_ALPHA}).
 *
 * Token ids decode as the reference's {@code batch_decode}: the tokenizer's decode with the tile tags folded back.
 *
 * <p>Where transformers 4.46 raises an IndexError, this processor does what the call means: text without images is
 * tokenized alone (as {@code processor.tokenizer(text)}), and the first sample of a batch may have no image.
 */
public final class Idefics3Processor implements Processor {
    public static final String FAKE_TOKEN = PromptImages.FAKE_TOKEN;
    public static final String IMAGE_TOKEN = PromptImages.IMAGE_TOKEN;
    public static final String GLOBAL_IMAGE_TOKEN = "<global-img>";
    public static final String END_OF_UTTERANCE = "<end_of_utterance>";
    /** What {@code batch_decode} folds into {@code <image>}: the tile tags the prompts hold, with their newlines. */
    private static final Pattern TILE_TAGS = Pattern.compile("(\\n?<global-img>\\n?|<row_\\d+_col_\\d+>\\n?)+");
    /** transformers' default when processor_config.json gives none: Idefics3-8B's 364-pixel tiles. */
    public static final int DEFAULT_IMAGE_SEQ_LEN = 169;

    private final Tokenizer tokenizer;
    private final Idefics3ImageProcessor imageProcessor;
    private final ImageLoader imageLoader;
    private final int imageSeqLen;

    public Idefics3Processor(Tokenizer tokenizer, Idefics3ImageProcessor imageProcessor, ImageLoader imageLoader,
                             int imageSeqLen) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.imageProcessor = Objects.requireNonNull(imageProcessor, "imageProcessor");
        this.imageLoader = Objects.requireNonNull(imageLoader, "imageLoader");
        if (imageSeqLen <= 0) {
            throw new IllegalArgumentException("image_seq_len must be positive, got " + imageSeqLen);
        }
        this.imageSeqLen = imageSeqLen;
        PromptImages.checkTokenizer(tokenizer, "Idefics3");
    }

    /**
     * The processor of a checkpoint folder: its tokenizer (tokenizer.json when present), preprocessor config and
     * image_seq_len.
     */
    public static Idefics3Processor fromCheckpoint(Path dir, ImageLoader loader) {
        return fromCheckpoint(dir, null, loader);
    }

    /** As {@link #fromCheckpoint(Path, ImageLoader)} with the tokenizer file {@code flavor} (null: the preferred). */
    public static Idefics3Processor fromCheckpoint(Path dir, Flavor flavor, ImageLoader loader) {
        Tokenizer tokenizer = flavor == null ? Tokenizers.load(dir) : Tokenizers.load(dir, flavor);
        return new Idefics3Processor(tokenizer, Idefics3ImageProcessor.fromCheckpoint(dir), loader, imageSeqLen(dir));
    }

    /**
     * The checkpoint's image_seq_len ({@link ImageSeqLen}): {@code processor_config.json}'s, else what
     * {@code config.json} implies ({@code (image_size / patch_size)² / scale_factor²}, the image tokens one tile
     * becomes), else 169.
     */
    public static int imageSeqLen(Path dir) {
        return ImageSeqLen.of(dir, Idefics3Processor::tokensPerTile,
                "vision image_size, patch_size and scale_factor", DEFAULT_IMAGE_SEQ_LEN);
    }

    /** {@code int(((image_size // patch_size) ** 2) / (scale_factor ** 2))}, or null without a vision config. */
    private static Integer tokensPerTile(ConfigReader config) {
        ConfigReader vision = config.object("vision_config");
        if (vision == null) {
            return null;
        }
        int side = vision.positiveInt("image_size", 224) / vision.positiveInt("patch_size", 32);
        int scale = config.positiveInt("scale_factor", 2);
        return (int) ((double) (side * side) / (scale * scale));
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public ImageLoader imageLoader() {
        return imageLoader;
    }

    /** {@code <image>} and {@code <fake_token_around_image>}, the markup the guide bans from answers. */
    @Override
    public List<Integer> imageMarkupTokenIds() {
        return List.of(tokenizer.tokenToId(IMAGE_TOKEN), tokenizer.tokenToId(FAKE_TOKEN));
    }

    @Override
    public int[] endOfUtteranceIds() {
        return tokenizer.encode(END_OF_UTTERANCE, false);
    }

    /** Whether the tokenizer has {@code <end_of_utterance>}, the turn end of the checkpoint's chat template. */
    @Override
    public boolean instruct() {
        return tokenizer.findTokenId(END_OF_UTTERANCE).isPresent();
    }

    /**
     * transformers' {@code Idefics3Processor.batch_decode} of one row: the tokenizer's decode, then every run of tile
     * tags ({@code <row_r_col_c>}, {@code <global-img>}, with the newlines the prompt put around them) folded into
     * {@code <image>}.
     */
    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return foldTileTags(tokenizer.decode(ids, skipSpecialTokens));
    }

    /** Every run of tile tags in decoded text, with the newlines around them, as one {@code <image>}. */
    public static String foldTileTags(String decoded) {
        return TILE_TAGS.matcher(decoded).replaceAll(IMAGE_TOKEN);
    }

    public Idefics3ImageProcessor imageProcessor() {
        return imageProcessor;
    }

    public int imageSeqLen() {
        return imageSeqLen;
    }

    /** Prompts of text and image items; each image item stands where the reference's text has {@code <image>}. */
    @Override
    public ModelInputs process(List<List<PromptItem>> prompts, ProcessorOptions options) {
        options.requireNoIdeficsTextOptions("Idefics3");
        return process(PromptImages.of(prompts, IMAGE_TOKEN, imageLoader, RgbConversion.DROP_ALPHA), options);
    }

    /**
     * The reference's {@code processor(text=texts, images=images)}: each text's {@code <image>} placeholders take its
     * sample's images in order.
     */
    public ModelInputs process(List<String> texts, List<List<RgbImage>> images, ProcessorOptions options) {
        options.requireNoIdeficsTextOptions("Idefics3");
        return process(PromptImages.of(texts, images), options);
    }

    private ModelInputs process(PromptImages prompts, ProcessorOptions options) {
        prompts.checkImageCounts(IMAGE_TOKEN);
        List<String> texts = prompts.texts();
        Idefics3ImageProcessor.Batch batch = null;
        int[][] rows = new int[texts.size()][0];
        int[][] cols = new int[texts.size()][0];
        List<String> strings = texts;
        if (prompts.hasImages()) {
            Idefics3ImageProcessorConfig config = imageProcessor.config();
            batch = imageProcessor.preprocess(prompts.images(),
                    options.doResize() == null ? config.doResize() : options.doResize(),
                    options.doImageSplitting() == null ? config.doImageSplitting() : options.doImageSplitting());
            rows = batch.rows();
            cols = batch.cols();
            strings = new ArrayList<>(texts.size());
            for (int b = 0; b < texts.size(); b++) {
                strings.add(promptString(texts.get(b), rows[b], cols[b]));
            }
        }
        BatchEncoding encoding = tokenizer.encodeBatch(strings, options.encodeOptions());
        Idefics3ImageInputs images = batch == null ? null : new Idefics3ImageInputs(batch.pixels(), rows, cols);
        return new ModelInputs(encoding.inputIds(), encoding.attentionMask(), images, List.copyOf(strings),
                prompts.sources());
    }

    /** {@code text} with its i-th {@code <image>} replaced by the tokens of an image of rows[i] x cols[i] tiles. */
    public String promptString(String text, int[] rows, int[] cols) {
        return promptString(text, rows, cols, imageSeqLen);
    }

    /** {@link #promptString(String, int[], int[])} for a given image_seq_len. */
    public static String promptString(String text, int[] rows, int[] cols, int imageSeqLen) {
        if (rows.length != cols.length) {
            throw new IllegalArgumentException(rows.length + " row counts but " + cols.length + " column counts");
        }
        int expected = PromptImages.count(text, IMAGE_TOKEN);
        if (expected != rows.length) {
            throw new IllegalArgumentException("the text has " + expected + " " + IMAGE_TOKEN + " but there are "
                    + rows.length + " images");
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int i = 0; i < rows.length; i++) {
            int at = text.indexOf(IMAGE_TOKEN, from);
            out.append(text, from, at);
            appendImage(out, rows[i], cols[i], imageSeqLen);
            from = at + IMAGE_TOKEN.length();
        }
        return out.append(text, from, text.length()).toString();
    }

    private static void appendImage(StringBuilder out, int rows, int cols, int imageSeqLen) {
        String tokens = IMAGE_TOKEN.repeat(imageSeqLen);
        if (rows == 0 && cols == 0) {
            out.append(FAKE_TOKEN).append(GLOBAL_IMAGE_TOKEN).append(tokens).append(FAKE_TOKEN);
            return;
        }
        for (int r = 1; r <= rows; r++) {
            for (int c = 1; c <= cols; c++) {
                out.append(FAKE_TOKEN).append("<row_").append(r).append("_col_").append(c).append('>').append(tokens);
            }
            out.append('\n');
        }
        out.append('\n').append(FAKE_TOKEN).append(GLOBAL_IMAGE_TOKEN).append(tokens).append(FAKE_TOKEN);
    }
}
