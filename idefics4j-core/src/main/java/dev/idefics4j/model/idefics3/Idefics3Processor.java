package dev.idefics4j.model.idefics3;

import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.image.RgbConversion;
import dev.idefics4j.image.RgbImage;
import dev.idefics4j.processor.ImageSeqLen;
import dev.idefics4j.processor.ProcessingOptions;
import dev.idefics4j.processor.PromptImages;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.tokenizer.BatchEncoding;
import dev.idefics4j.tokenizer.Tokenizer;
import dev.idefics4j.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Idefics3Processor: prompts → {@link Idefics3Inputs}. Each {@code <image>} of a sample's text (an image item of a
 * prompt) becomes, for an image cut into R x C tiles, {@code <fake_token_around_image><row_r_col_c>} +
 * {@code <image>} x L for every tile with {@code "\n"} after each row of tiles, then
 * {@code "\n<fake_token_around_image><global-img>"} + {@code <image>} x L + {@code <fake_token_around_image>}; an image
 * that is not split becomes only the global part without the newline. L is image_seq_len. Adjacent images are not
 * merged. The strings are tokenized as they are (the tokenizer adds BOS where its template says so) and the images
 * go through {@link Idefics3ImageProcessor}. Images are loaded as transformers' {@code load_image} does
 * ({@link RgbConversion#DROP_ALPHA}).
 *
 * <p>Where transformers 4.46 raises an IndexError, this processor does what the call means: text without images is
 * tokenized alone (as {@code processor.tokenizer(text)}), and the first sample of a batch may have no image.
 */
public final class Idefics3Processor {
    public static final String FAKE_TOKEN = PromptImages.FAKE_TOKEN;
    public static final String IMAGE_TOKEN = PromptImages.IMAGE_TOKEN;
    public static final String GLOBAL_IMAGE_TOKEN = "<global-img>";
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

    /** The processor of a checkpoint folder: its tokenizer, preprocessor config and image_seq_len. */
    public static Idefics3Processor fromCheckpoint(Path dir, ImageLoader loader) {
        return new Idefics3Processor(Tokenizers.load(dir), Idefics3ImageProcessor.fromCheckpoint(dir), loader,
                imageSeqLen(dir));
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

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Idefics3ImageProcessor imageProcessor() {
        return imageProcessor;
    }

    public int imageSeqLen() {
        return imageSeqLen;
    }

    /** A single prompt with default options. */
    public Idefics3Inputs process(List<PromptItem> prompt) {
        return process(List.of(prompt), ProcessingOptions.DEFAULTS);
    }

    /** Prompts of text and image items; each image item stands where the reference's text has {@code <image>}. */
    public Idefics3Inputs process(List<List<PromptItem>> prompts, ProcessingOptions options) {
        return process(PromptImages.of(prompts, IMAGE_TOKEN, imageLoader, RgbConversion.DROP_ALPHA), options);
    }

    /**
     * The reference's {@code processor(text=texts, images=images)}: each text's {@code <image>} placeholders take its
     * sample's images in order.
     */
    public Idefics3Inputs process(List<String> texts, List<List<RgbImage>> images, ProcessingOptions options) {
        return process(PromptImages.of(texts, images), options);
    }

    private Idefics3Inputs process(PromptImages prompts, ProcessingOptions options) {
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
        PixelBatch pixels = batch == null ? null : batch.pixels();
        return new Idefics3Inputs(encoding.inputIds(), encoding.attentionMask(), pixels, rows, cols,
                List.copyOf(strings), prompts.sources());
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
