package dev.idefics4j.generation;

/**
 * The model inputs of a batch of prompts, as the IDEFICS processor produces them: left-padded {@code input_ids}
 * [rows][length], {@code attention_mask} [rows][length], {@code image_attention_mask} [rows][length][maxImages] and
 * {@code pixel_values} [rows, maxImages, 3, S, S] flattened (zero images pad rows with fewer images).
 *
 * @param pixelValues        null for text-only prompts
 * @param imageAttentionMask null for text-only prompts
 */
public record GenerationInputs(int[][] inputIds, int[][] attentionMask, int[][][] imageAttentionMask,
                               float[] pixelValues, int maxImages) {

    public GenerationInputs {
        if (inputIds == null || inputIds.length == 0 || inputIds[0].length == 0) {
            throw new IllegalArgumentException("input_ids must hold at least one prompt of at least one token");
        }
        int rows = inputIds.length;
        int length = inputIds[0].length;
        if (attentionMask == null || attentionMask.length != rows) {
            throw new IllegalArgumentException("attention_mask must have one row per prompt (" + rows + ")");
        }
        for (int b = 0; b < rows; b++) {
            if (inputIds[b].length != length || attentionMask[b].length != length) {
                throw new IllegalArgumentException("input_ids and attention_mask rows must all have " + length
                        + " entries (pad the batch); row " + b + " differs");
            }
        }
        if (maxImages < 0) {
            throw new IllegalArgumentException("maxImages must not be negative, got " + maxImages);
        }
        if (imageAttentionMask != null) {
            if (imageAttentionMask.length != rows) {
                throw new IllegalArgumentException("image_attention_mask must have one row per prompt (" + rows + ")");
            }
            for (int b = 0; b < rows; b++) {
                if (imageAttentionMask[b].length != length) {
                    throw new IllegalArgumentException("image_attention_mask row " + b + " must cover " + length
                            + " tokens");
                }
                for (int[] token : imageAttentionMask[b]) {
                    if (token.length < maxImages) {
                        throw new IllegalArgumentException("image_attention_mask row " + b + " must have "
                                + maxImages + " image columns");
                    }
                    for (int i = 0; i < token.length; i++) {
                        if (token[i] != 0 && (pixelValues == null || i >= maxImages)) {
                            throw new IllegalArgumentException("image_attention_mask row " + b
                                    + " attends to image " + i + " but pixel_values holds " + maxImages
                                    + (pixelValues == null ? " (none given)" : "") + " image(s) per row");
                        }
                    }
                }
            }
        }
    }

    /** Prompts without images. */
    public static GenerationInputs textOnly(int[][] inputIds, int[][] attentionMask) {
        return new GenerationInputs(inputIds, attentionMask, null, null, 0);
    }

    public int rows() {
        return inputIds.length;
    }

    /** The padded prompt length. */
    public int length() {
        return inputIds[0].length;
    }

    /** Whether any token attends to any image (else the vision tower need not run). */
    boolean attendsToImages() {
        if (imageAttentionMask == null || pixelValues == null) {
            return false;
        }
        for (int b = 0; b < rows(); b++) {
            if (imagesUsed(b) > 0) {
                return true;
            }
        }
        return false;
    }

    /** How many leading images of row {@code b} some token attends to (later ones are batch padding). */
    int imagesUsed(int b) {
        if (imageAttentionMask == null) {
            return 0;
        }
        int used = 0;
        for (int[] token : imageAttentionMask[b]) {
            for (int i = used; i < maxImages; i++) {
                if (token[i] != 0) {
                    used = i + 1;
                }
            }
        }
        return used;
    }
}
