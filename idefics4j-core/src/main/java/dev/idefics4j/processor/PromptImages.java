package dev.idefics4j.processor;

import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.image.RgbConversion;
import dev.idefics4j.image.RgbImage;
import dev.idefics4j.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prompts of items in the form the Idefics2/Idefics3 processors take them, {@code processor(text=, images=)}: per
 * sample a text with an image placeholder where each image item was, and the images, loaded, in order.
 *
 * @param texts   per sample, the text items joined with the placeholder for every image item
 * @param images  per sample, its images
 * @param sources per sample, a description of each image (path, URL, ...)
 */
public record PromptImages(List<String> texts, List<List<RgbImage>> images, List<List<String>> sources) {
    /** The placeholder of an image in the texts, and the token each image's tokens repeat. */
    public static final String IMAGE_TOKEN = "<image>";
    /** The token around each image's tokens. */
    public static final String FAKE_TOKEN = "<fake_token_around_image>";

    public PromptImages {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to process");
        }
        if (images.size() != texts.size() || sources.size() != texts.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but images for " + images.size()
                    + " samples");
        }
        texts = List.copyOf(texts);
        images = images.stream().map(List::copyOf).toList();
        sources = sources.stream().map(List::copyOf).toList();
    }

    /** Texts and images as given; each image described by its size. */
    public static PromptImages of(List<String> texts, List<List<RgbImage>> images) {
        return new PromptImages(texts, images,
                images.stream().map(sample -> sample.stream().map(RgbImage::toString).toList()).toList());
    }

    /** {@code prompts} with {@code placeholder} for each image item; images still to load go through {@code loader}. */
    public static PromptImages of(List<List<PromptItem>> prompts, String placeholder, ImageLoader loader,
                                  RgbConversion conversion) {
        List<String> texts = new ArrayList<>(prompts.size());
        List<List<RgbImage>> images = new ArrayList<>(prompts.size());
        List<List<String>> sources = new ArrayList<>(prompts.size());
        for (List<PromptItem> prompt : prompts) {
            StringBuilder text = new StringBuilder();
            List<RgbImage> sampleImages = new ArrayList<>();
            List<String> sampleSources = new ArrayList<>();
            for (PromptItem item : prompt) {
                switch (item) {
                    case PromptItem.Text(String t) -> text.append(t);
                    case PromptItem.Image(ImageSource source) -> {
                        text.append(placeholder);
                        sampleImages.add(loader.load(source, conversion));
                        sampleSources.add(source.description());
                    }
                    case PromptItem.Decoded(RgbImage image, String description) -> {
                        text.append(placeholder);
                        sampleImages.add(image);
                        sampleSources.add(description);
                    }
                }
            }
            texts.add(text.toString());
            images.add(sampleImages);
            sources.add(sampleSources);
        }
        return new PromptImages(texts, images, sources);
    }

    /** The reference's check: every sample has as many images as its text has placeholders. */
    public void checkImageCounts(String placeholder) {
        int[] inText = texts.stream().mapToInt(t -> count(t, placeholder)).toArray();
        int[] given = images.stream().mapToInt(List::size).toArray();
        if (!Arrays.equals(inText, given)) {
            throw new IllegalArgumentException("The number of images in the text " + Arrays.toString(inText)
                    + " and images " + Arrays.toString(given) + " should be the same.");
        }
    }

    public boolean hasImages() {
        return images.stream().anyMatch(sample -> !sample.isEmpty());
    }

    /** Fails unless {@code tokenizer} has the image tokens these prompts expand to ({@code family} names the model). */
    public static void checkTokenizer(Tokenizer tokenizer, String family) {
        for (String token : List.of(FAKE_TOKEN, IMAGE_TOKEN)) {
            if (tokenizer.findTokenId(token).isEmpty()) {
                throw new IllegalArgumentException("the tokenizer has no " + token + " token; is this an " + family
                        + " checkpoint?");
            }
        }
    }

    /** Python's {@code str.count}: non-overlapping occurrences. */
    public static int count(String text, String placeholder) {
        int n = 0;
        for (int at = text.indexOf(placeholder); at >= 0; at = text.indexOf(placeholder, at + placeholder.length())) {
            n++;
        }
        return n;
    }
}
