package dev.idefics4j.processor;

import dev.idefics4j.image.IdeficsImageProcessor;
import dev.idefics4j.image.ImageLoadException;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.image.RgbImage;
import dev.idefics4j.tokenizer.BatchEncoding;
import dev.idefics4j.tokenizer.EncodeOptions;
import dev.idefics4j.tokenizer.Flavor;
import dev.idefics4j.tokenizer.Tokenizer;
import dev.idefics4j.tokenizer.Tokenizers;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * IdeficsProcessor: prompts (lists of text and image items) → {@link ModelInputs}. Each sample starts with the
 * literal BOS; an image becomes {@code <fake_token_around_image><image><fake_token_around_image>} (only
 * {@code <image><fake_token_around_image>} right after another image); {@code <end_of_utterance>} separates two
 * consecutive text items when enabled; the strings are tokenized without special tokens and padded as the
 * tokenizer says; images are padded with zero images to the batch's largest count.
 */
public final class IdeficsProcessor implements Processor {
    public static final String FAKE_TOKEN = "<fake_token_around_image>";
    public static final String IMAGE_TOKEN = "<image>";
    public static final String END_OF_UTTERANCE = "<end_of_utterance>";

    private final Tokenizer tokenizer;
    private final IdeficsImageProcessor imageProcessor;
    private final ImageLoader imageLoader;
    private final int imageTokenId;
    private final boolean trainedWithEndOfUtterance;

    public IdeficsProcessor(Tokenizer tokenizer, IdeficsImageProcessor imageProcessor, ImageLoader imageLoader) {
        this.tokenizer = tokenizer;
        this.imageProcessor = imageProcessor;
        this.imageLoader = imageLoader;
        this.imageTokenId = tokenizer.findTokenId(IMAGE_TOKEN).orElseThrow(() -> new IllegalArgumentException(
                "the tokenizer has no " + IMAGE_TOKEN + " token; is this an IDEFICS checkpoint?"));
        this.trainedWithEndOfUtterance = tokenizer.additionalSpecialTokens().contains(END_OF_UTTERANCE);
    }

    /** The processor of a checkpoint folder: its tokenizer (tokenizer.json when present) and preprocessor config. */
    public static IdeficsProcessor fromCheckpoint(Path dir, ImageLoader loader) {
        return new IdeficsProcessor(Tokenizers.load(dir), IdeficsImageProcessor.fromCheckpoint(dir), loader);
    }

    public static IdeficsProcessor fromCheckpoint(Path dir, Flavor flavor, ImageLoader loader) {
        return new IdeficsProcessor(Tokenizers.load(dir, flavor), IdeficsImageProcessor.fromCheckpoint(dir), loader);
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public IdeficsImageProcessor imageProcessor() {
        return imageProcessor;
    }

    @Override
    public ImageLoader imageLoader() {
        return imageLoader;
    }

    public int imageTokenId() {
        return imageTokenId;
    }

    @Override
    public List<Integer> imageMarkupTokenIds() {
        return List.of(imageTokenId, tokenizer.tokenToId(FAKE_TOKEN));
    }

    @Override
    public int[] endOfUtteranceIds() {
        return tokenizer.encode(END_OF_UTTERANCE, false);
    }

    /** Also whether {@code <end_of_utterance>} is inserted between text items when the options leave it unset. */
    @Override
    public boolean instruct() {
        return trainedWithEndOfUtterance;
    }

    @Override
    public ModelInputs process(List<List<PromptItem>> prompts, ProcessorOptions options) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to process");
        }
        refuseOtherFamiliesOptions(options);
        boolean eou = options.addEndOfUtteranceToken() == null
                ? trainedWithEndOfUtterance : options.addEndOfUtteranceToken();
        List<String> strings = new ArrayList<>();
        List<List<RgbImage>> images = new ArrayList<>();
        List<List<String>> sources = new ArrayList<>();
        for (List<PromptItem> sample : prompts) {
            List<RgbImage> sampleImages = new ArrayList<>();
            List<String> sampleSources = new ArrayList<>();
            strings.add(promptString(sample, eou, options.addEosToken(), sampleImages, sampleSources));
            images.add(sampleImages);
            sources.add(sampleSources);
        }
        EncodeOptions enc = new EncodeOptions(false, options.padding(), options.truncation(),
                options.maxLength() == null ? EncodeOptions.UNSET : options.maxLength());
        BatchEncoding encoding = tokenizer.encodeBatch(strings, enc);
        int[][] ids = encoding.inputIds();
        checkLength(ids, options);
        int batch = ids.length;
        int maxImages = 1;
        boolean anyImage = false;
        for (List<RgbImage> row : images) {
            maxImages = Math.max(maxImages, row.size());
            anyImage |= !row.isEmpty();
        }
        int[][][] imageMask = anyImage
                ? ImageAttentionMask.compute(ids, imageTokenId, tokenizer.eosTokenId(), maxImages)
                : new int[batch][ids.length == 0 ? 0 : ids[0].length][1];
        int perImage = imageProcessor.valuesPerImage();
        float[] pixels = new float[batch * maxImages * perImage];
        int[] imagesPerRow = new int[batch];
        for (int b = 0; b < batch; b++) {
            int tokensOfImages = 0;
            for (int id : ids[b]) {
                tokensOfImages += id == imageTokenId ? 1 : 0;
            }
            // Truncation can cut image tokens; their images are dropped, as the reference does.
            int kept = Math.min(Math.min(tokensOfImages, maxImages), images.get(b).size());
            for (int i = 0; i < kept; i++) {
                imageProcessor.writePixelValues(images.get(b).get(i), pixels, (b * maxImages + i) * perImage);
            }
            // A row can attend to zero-padding images too (an <image> typed in the text); those must be encoded.
            int referenced = 0;
            for (int[] tokenMask : imageMask[b]) {
                for (int i = 0; i < tokenMask.length; i++) {
                    if (tokenMask[i] != 0) {
                        referenced = Math.max(referenced, i + 1);
                    }
                }
            }
            imagesPerRow[b] = anyImage ? Math.max(kept, referenced) : 0;
            if (kept < sources.get(b).size()) {
                sources.set(b, List.copyOf(sources.get(b).subList(0, kept)));
            }
        }
        return new ModelInputs(ids, encoding.attentionMask(),
                new IdeficsImageInputs(imageMask, pixels, maxImages, imagesPerRow), List.copyOf(strings),
                List.copyOf(sources));
    }

    /** The Idefics2/Idefics3 options that ask for something this processor never does. */
    private static void refuseOtherFamiliesOptions(ProcessorOptions options) {
        ProcessorOptions.require(!Boolean.TRUE.equals(options.doImageSplitting()), "do_image_splitting",
                options.doImageSplitting(), "IDEFICS v1's processor does not split images");
        ProcessorOptions.require(!Boolean.FALSE.equals(options.doResize()), "do_resize", options.doResize(),
                "IDEFICS v1's processor always resizes images to image_size");
        ProcessorOptions.require(options.addSpecialTokens() == null, "add_special_tokens", options.addSpecialTokens(),
                "IDEFICS v1's processor writes the BOS into its prompts and tokenizes them without special tokens");
    }

    private void checkLength(int[][] ids, ProcessorOptions options) {
        int limit = tokenizer.modelMaxLength();
        for (int[] row : ids) {
            if (row.length > limit && !options.truncation()) {
                throw new IllegalArgumentException("the prompt has " + row.length + " tokens but the model takes at "
                        + "most " + limit + " (model_max_length); shorten it, or set truncation with max_length");
            }
        }
    }

    /**
     * The string one sample becomes (the reference's {@code full_text}); images met on the way are loaded and
     * collected into {@code images}, their descriptions into {@code sources}.
     */
    String promptString(List<PromptItem> sample, boolean addEndOfUtterance, boolean addEos,
                        List<RgbImage> images, List<String> sources) {
        StringBuilder full = new StringBuilder(tokenizer.specialTokens().bos());
        boolean lastWasImage = false;
        boolean lastWasText = false;
        for (int i = 0; i < sample.size(); i++) {
            if (i > 0) {
                lastWasText = !lastWasImage;
            }
            PromptItem item = sample.get(i);
            if (item instanceof PromptItem.Text(String raw)) {
                String text = Urls.stripSpaces(raw);
                if (Urls.isUrl(text)) {
                    item = new PromptItem.Image(urlSource(text));
                } else {
                    if (addEndOfUtterance && lastWasText) {
                        full.append(END_OF_UTTERANCE);
                    }
                    full.append(text);
                    lastWasImage = false;
                    continue;
                }
            }
            full.append(lastWasImage ? IMAGE_TOKEN + FAKE_TOKEN : FAKE_TOKEN + IMAGE_TOKEN + FAKE_TOKEN);
            switch (item) {
                case PromptItem.Image(ImageSource source) -> {
                    images.add(imageLoader.load(source));
                    sources.add(source.description());
                }
                case PromptItem.Decoded(RgbImage image, String description) -> {
                    images.add(image);
                    sources.add(description);
                }
                default -> throw new IllegalStateException("unexpected item " + item);
            }
            lastWasImage = true;
        }
        if (addEos) {
            full.append(tokenizer.specialTokens().eos());
        }
        return full.toString();
    }

    private static ImageSource urlSource(String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new ImageLoadException(text + ": looks like an image URL but is not a valid one (" + e.getMessage()
                    + ")", e);
        }
        String scheme = uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ImageLoadException(text + ": a URL in a prompt is an image, but only http and https URLs can "
                    + "be fetched");
        }
        return ImageSource.url(uri);
    }
}
