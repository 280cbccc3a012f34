package dev.idefics4j.model;

import java.util.Arrays;

/**
 * The images of a processor batch that Idefics2 and Idefics3 hand to the SigLIP tower, and the patch attention mask
 * they get there. The processor pads a batch to N images per sample with images whose pixel values are all exactly
 * 0.0; the model drops those first, so {@code images} lists the indices of the real ones in {@code pixels}
 * ({@code [B·N, channels, height, width]}). {@code patchMask} is {@code [images.length, patchRows·patchCols]}:
 * false for the patches that padding pixels made.
 */
public record VisionBatch(float[] pixels, int[] images, int channels, int height, int width, int patchSize,
                          boolean[] patchMask) {

    /** How a patch of p×p pixels counts as valid from the processor's pixel attention mask. */
    public enum PatchRule {
        /** Idefics3: valid when any of its pixels is. */
        ANY_PIXEL,
        /** Idefics2: valid only when all of its pixels are. */
        ALL_PIXELS
    }

    public VisionBatch {
        long imageSize = (long) channels * height * width;
        for (int image : images) {
            if (image < 0 || (image + 1) * imageSize > pixels.length) {
                throw new IllegalArgumentException("image " + image + " of " + channels + "x" + height + "x" + width
                        + " lies outside the " + pixels.length + " pixel values");
            }
        }
        int patches = (height / patchSize) * (width / patchSize);
        if (patches == 0) {
            throw new IllegalArgumentException("images of " + height + "x" + width + " pixels hold no whole patch of "
                    + patchSize + "x" + patchSize);
        }
        if (patchMask.length != images.length * patches) {
            throw new IllegalArgumentException("patch mask of " + patchMask.length + " entries for " + images.length
                    + " images of " + patches + " patches");
        }
    }

    /**
     * Selects the real images of {@code count} images ({@code pixelValues} {@code [count, channels, height, width]},
     * as {@code pixel_values} flattened over batch and image) and makes their patch mask from
     * {@code pixelAttentionMask} ({@code [count, height, width]}, true = a real pixel; null = all real) by
     * {@code rule}. Pixels past the last whole patch are ignored, as the reference's unfold does.
     */
    public static VisionBatch of(float[] pixelValues, boolean[] pixelAttentionMask, int count, int channels,
                                 int height, int width, int patchSize, PatchRule rule) {
        int imageSize = channels * height * width;
        if (pixelValues.length != count * imageSize) {
            throw new IllegalArgumentException("pixel_values hold " + pixelValues.length + " values, not " + count
                    + " images of " + channels + "x" + height + "x" + width);
        }
        if (pixelAttentionMask != null && pixelAttentionMask.length != count * height * width) {
            throw new IllegalArgumentException("pixel_attention_mask holds " + pixelAttentionMask.length
                    + " values, not " + count + " masks of " + height + "x" + width);
        }
        int[] real = new int[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (!isPadding(pixelValues, i * imageSize, imageSize)) {
                real[n++] = i;
            }
        }
        real = Arrays.copyOf(real, n);
        int rows = height / patchSize;
        int cols = width / patchSize;
        boolean[] patchMask = new boolean[n * rows * cols];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    patchMask[(i * rows + r) * cols + c] = pixelAttentionMask == null
                            || patchValid(pixelAttentionMask, real[i] * height * width, width, r, c, patchSize, rule);
                }
            }
        }
        return new VisionBatch(pixelValues, real, channels, height, width, patchSize, patchMask);
    }

    /** A padding image: every value exactly 0.0 (-0.0 included, as {@code pixel_values == 0.0} counts it). */
    private static boolean isPadding(float[] pixels, int offset, int size) {
        for (int i = offset; i < offset + size; i++) {
            if (pixels[i] != 0f) {
                return false;
            }
        }
        return true;
    }

    private static boolean patchValid(boolean[] mask, int offset, int width, int r, int c, int p, PatchRule rule) {
        int valid = 0;
        for (int y = 0; y < p; y++) {
            int row = offset + (r * p + y) * width + c * p;
            for (int x = 0; x < p; x++) {
                valid += mask[row + x] ? 1 : 0;
            }
        }
        return rule == PatchRule.ANY_PIXEL ? valid > 0 : valid == p * p;
    }

    public int count() {
        return images.length;
    }

    public int patchRows() {
        return height / patchSize;
    }

    public int patchCols() {
        return width / patchSize;
    }

    /** Patches (tokens) per image out of the tower. */
    public int patches() {
        return patchRows() * patchCols();
    }

    /** Offset of real image {@code i}'s pixels in {@link #pixels}. */
    int pixelOffset(int i) {
        return images[i] * channels * height * width;
    }

    /** Image {@code i}'s patch mask as attention key validity: null when every patch is valid. */
    boolean[] keyValid(int i) {
        int patches = patches();
        for (int t = i * patches; t < (i + 1) * patches; t++) {
            if (!patchMask[t]) {
                return Arrays.copyOfRange(patchMask, i * patches, (i + 1) * patches);
            }
        }
        return null;
    }
}
