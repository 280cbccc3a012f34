package dev.idefics4j.processor;

import java.util.Map;

/**
 * IDEFICS v1's image inputs: {@code pixel_values} [rows, maxImages, 3, S, S] flattened (rows with fewer images padded
 * with zero images) and {@code image_attention_mask} [rows][tokens][maxImages], one-hot: the image each token
 * attends to.
 *
 * @param pixelValues  null when no token attends to an image
 * @param maxImages    images per row in {@code pixelValues}
 * @param imagesPerRow how many of each row's images are real, or attended to
 */
public record IdeficsImageInputs(int[][][] imageAttentionMask, float[] pixelValues, int maxImages,
                                 int[] imagesPerRow) implements ImageInputs {

    public IdeficsImageInputs {
        if (maxImages < 0) {
            throw new IllegalArgumentException("maxImages must not be negative, got " + maxImages);
        }
    }

    /** Inputs whose real images are those some token attends to (reference fixtures, hand-made inputs). */
    public IdeficsImageInputs(int[][][] imageAttentionMask, float[] pixelValues, int maxImages) {
        this(imageAttentionMask, pixelValues, maxImages, attended(imageAttentionMask, maxImages));
    }

    private static int[] attended(int[][][] mask, int maxImages) {
        int[] out = new int[mask.length];
        for (int b = 0; b < mask.length; b++) {
            out[b] = imagesUsed(mask[b], maxImages);
        }
        return out;
    }

    @Override
    public void check(int[][] inputIds) {
        int rows = inputIds.length;
        if (imageAttentionMask.length != rows || imagesPerRow.length != rows) {
            throw new IllegalArgumentException("image_attention_mask must have one row per prompt (" + rows + "), has "
                    + imageAttentionMask.length);
        }
        for (int b = 0; b < rows; b++) {
            if (imageAttentionMask[b].length != inputIds[b].length) {
                throw new IllegalArgumentException("image_attention_mask row " + b + " must cover "
                        + inputIds[b].length + " tokens, covers " + imageAttentionMask[b].length);
            }
            for (int[] token : imageAttentionMask[b]) {
                if (token.length < maxImages) {
                    throw new IllegalArgumentException("image_attention_mask row " + b + " must have " + maxImages
                            + " image columns");
                }
                for (int i = 0; i < token.length; i++) {
                    if (token[i] != 0 && (pixelValues == null || i >= maxImages)) {
                        throw new IllegalArgumentException("image_attention_mask row " + b + " attends to image " + i
                                + " but pixel_values holds " + maxImages + (pixelValues == null ? " (none given)" : "")
                                + " image(s) per row");
                    }
                }
            }
        }
    }

    @Override
    public Map<String, Object> view() {
        return Map.of("image_attention_mask", imageAttentionMask);
    }

    /** Whether any token attends to any image (else the vision tower need not run). */
    public boolean attendsToImages() {
        if (pixelValues == null) {
            return false;
        }
        for (int b = 0; b < imageAttentionMask.length; b++) {
            if (imagesUsed(b) > 0) {
                return true;
            }
        }
        return false;
    }

    /** How many leading images of row {@code b} some token attends to (later ones are batch padding). */
    public int imagesUsed(int b) {
        return imagesUsed(imageAttentionMask[b], maxImages);
    }

    private static int imagesUsed(int[][] rowMask, int maxImages) {
        int used = 0;
        for (int[] token : rowMask) {
            for (int i = used; i < Math.min(maxImages, token.length); i++) {
                if (token[i] != 0) {
                    used = i + 1;
                }
            }
        }
        return used;
    }
}
