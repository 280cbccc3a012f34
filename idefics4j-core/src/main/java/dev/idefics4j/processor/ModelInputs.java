package dev.idefics4j.processor;

import java.util.List;

/**
 * What the processor hands the model: as the reference's {@code BatchFeature}, plus what it was made from.
 *
 * @param inputIds           [batch][tokens], padded
 * @param attentionMask      [batch][tokens]
 * @param imageAttentionMask [batch][tokens][maxImages], one-hot: the image each token attends to
 * @param pixelValues        [batch][maxImages][channels][size][size] flattened; rows padded with zero images
 * @param maxImages          images per row in {@code pixelValues} (at least 1, as the reference)
 * @param imagesPerRow       how many of each row's images are real
 * @param promptStrings      the exact strings given to the tokenizer
 * @param imageSources       per row, a description of each image (path, URL, ...)
 */
public record ModelInputs(int[][] inputIds, int[][] attentionMask, int[][][] imageAttentionMask, float[] pixelValues,
                          int maxImages, int[] imagesPerRow, List<String> promptStrings,
                          List<List<String>> imageSources) {

    public int batchSize() {
        return inputIds.length;
    }

    public int sequenceLength() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    public boolean hasImages() {
        for (int n : imagesPerRow) {
            if (n > 0) {
                return true;
            }
        }
        return false;
    }
}
