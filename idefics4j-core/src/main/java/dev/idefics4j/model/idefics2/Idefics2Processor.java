package dev.idefics4j.model.idefics2;

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
import dev.idefics4j.tokenizer.EncodeOptions;
import dev.idefics4j.tokenizer.Flavor;
import dev.idefics4j.tokenizer.Tokenizer;
import dev.idefics4j.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Idefics2Processor: prompts → {@link ModelInputs} with {@link Idefics2ImageInputs}. Each {@code <image>} of a sample's text (an image item of a
 * prompt) becomes {@code <fake_token_around_image>} + {@code <image>} x L + {@code <fake_token_around_image>}, five
 * times over when images are split (four quarters and the whole image); then every
 * {@code <fake_token_around_image><fake_token_around_image>} is collapsed to one (adjacent and split images share
 * their separators). L is image_seq_len (the perceiver's latents). The strings are tokenized as they are (BOS by the
 * tokenizer) and the images go through {@link Idefics2ImageProcessor}, made RGB as its {@code convert_to_rgb} does
 * (transformers' image_transforms one: Pillow's {@code convert("RGB")}, alpha dropped, not composited; see
 * {@link RgbConversion#DROP_ALPHA}). The call's options are the reference's {@code padding}, {@code max_length},
 * {@code truncation}, {@code add_special_tokens} (true by default) and the image processor's
 * {@code do_image_splitting} and {@code do_resize}; IDEFICS v1's {@code add_eos_token} and
 * {@code add_end_of_utterance_token} are refused.
 *
 * <p>Where transformers 4.46 differs: a first sample without image works (it raises IndexError), and
 * {@code do_image_splitting} given with the call splits text and pixels alike (it splits only the pixels, leaving
 * inputs the model rejects; setting it on the image processor, as its documentation does, splits both).
 */
public final class Idefics2Processor implements Processor {
    public static final String FAKE_TOKEN = PromptImages.FAKE_TOKEN;
    public static final String IMAGE_TOKEN = PromptImages.IMAGE_TOKEN;
    public static final String END_OF_UTTERANCE = "<end_of_utterance>";
    /** transformers' default when processor_config.json gives none: idefics2-8b's 64 perceiver latents. */
    public static final int DEFAULT_IMAGE_SEQ_LEN = 64;

    private final Tokenizer tokenizer;
    private final Idefics2ImageProcessor imageProcessor;
    private final ImageLoader imageLoader;
    private final int imageSeqLen;

    public Idefics2Processor(Tokenizer tokenizer, Idefics2ImageProcessor imageProcessor, ImageLoader imageLoader,
                             int imageSeqLen) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.imageProcessor = Objects.requireNonNull(imageProcessor, "imageProcessor");
        this.imageLoader = Objects.requireNonNull(imageLoader, "imageLoader");
        if (imageSeqLen <= 0) {
            throw new IllegalArgumentException("image_seq_len must be positive, got " + imageSeqLen);
        }
        this.imageSeqLen = imageSeqLen;
        PromptImages.checkTokenizer(tokenizer, "Idefics2");
    }

    /** The processor of a checkpoint folder: its tokenizer, preprocessor config and image_seq_len. */
    public static Idefics2Processor fromCheckpoint(Path dir, ImageLoader loader) {
        return fromCheckpoint(dir, null, loader);
    }

    /** As {@link #fromCheckpoint(Path, ImageLoader)} with the tokenizer file {@code flavor} (null: the default). */
    public static Idefics2Processor fromCheckpoint(Path dir, Flavor flavor, ImageLoader loader) {
        return new Idefics2Processor(flavor == null ? Tokenizers.load(dir) : Tokenizers.load(dir, flavor),
                Idefics2ImageProcessor.fromCheckpoint(dir), loader, imageSeqLen(dir));
    }

    /**
     * The checkpoint's image_seq_len ({@link ImageSeqLen}): {@code processor_config.json}'s, else
     * {@code config.json}'s {@code perceiver_config.resampler_n_latents}, else 64.
     */
    public static int imageSeqLen(Path dir) {
        return ImageSeqLen.of(dir, Idefics2Processor::perceiverLatents, "perceiver_config.resampler_n_latents",
                DEFAULT_IMAGE_SEQ_LEN);
    }

    private static Integer perceiverLatents(ConfigReader config) {
        ConfigReader perceiver = config.object("perceiver_config");
        return perceiver == null ? null : perceiver.positiveInt("resampler_n_latents", DEFAULT_IMAGE_SEQ_LEN);
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public ImageLoader imageLoader() {
        return imageLoader;
    }

    public Idefics2ImageProcessor imageProcessor() {
        return imageProcessor;
    }

    public int imageSeqLen() {
        return imageSeqLen;
    }

    @Override
    public List<Integer> imageMarkupTokenIds() {
        return List.of(tokenizer.tokenToId(IMAGE_TOKEN), tokenizer.tokenToId(FAKE_TOKEN));
    }

    @Override
    public int[] endOfUtteranceIds() {
        return tokenizer.encode(END_OF_UTTERANCE, false);
    }

    /** Whether the tokenizer lists {@code <end_of_utterance>} among its additional special tokens. */
    @Override
    public boolean instruct() {
        return tokenizer.additionalSpecialTokens().contains(END_OF_UTTERANCE);
    }

    /** Prompts of text and image items; each image item stands where the reference's text has {@code <image>}. */
    @Override
    public ModelInputs process(List<List<PromptItem>> prompts, ProcessorOptions options) {
        return process(PromptImages.of(prompts, IMAGE_TOKEN, imageLoader, RgbConversion.DROP_ALPHA), options);
    }

    /**
     * The reference's {@code processor(text=texts, images=images)}: each text's {@code <image>} placeholders take its
     * sample's images in order.
     */
    public ModelInputs process(List<String> texts, List<List<RgbImage>> images, ProcessorOptions options) {
        return process(PromptImages.of(texts, images), options);
    }

    private ModelInputs process(PromptImages prompts, ProcessorOptions options) {
        options.requireNoIdeficsTextOptions("Idefics2");
        prompts.checkImageCounts(IMAGE_TOKEN);
        Idefics2ImageProcessorConfig config = imageProcessor.config();
        boolean split = options.doImageSplitting() == null ? config.doImageSplitting() : options.doImageSplitting();
        List<String> strings = new ArrayList<>(prompts.texts().size());
        for (String text : prompts.texts()) {
            strings.add(promptString(text, split));
        }
        BatchEncoding encoding = tokenizer.encodeBatch(strings, new EncodeOptions(
                options.addSpecialTokens() == null || options.addSpecialTokens(), options.padding(),
                options.truncation(), options.maxLength() == null ? EncodeOptions.UNSET : options.maxLength()));
        Idefics2ImageProcessor.Batch batch = !prompts.hasImages() ? null : imageProcessor.preprocess(prompts.images(),
                options.doResize() == null ? config.doResize() : options.doResize(), split);
        return new ModelInputs(encoding.inputIds(), encoding.attentionMask(),
                batch == null ? null : new Idefics2ImageInputs(batch.pixels()), List.copyOf(strings),
                prompts.sources());
    }

    /** {@code text} with every {@code <image>} expanded, images split into five or not. */
    public String promptString(String text, boolean split) {
        return promptString(text, split, imageSeqLen);
    }

    /** {@link #promptString(String, boolean)} for a given image_seq_len. */
    public static String promptString(String text, boolean split, int imageSeqLen) {
        String image = FAKE_TOKEN + IMAGE_TOKEN.repeat(imageSeqLen) + FAKE_TOKEN;
        // Python's str.replace and Java's both replace non-overlapping matches left to right, in one pass.
        return text.replace(IMAGE_TOKEN, split ? image.repeat(5) : image).replace(FAKE_TOKEN + FAKE_TOKEN, FAKE_TOKEN);
    }
}
