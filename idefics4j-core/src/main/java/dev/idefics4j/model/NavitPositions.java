package dev.idefics4j.model;

/**
 * NaViT-style patch positions (Idefics2VisionEmbeddings, Idefics3VisionEmbeddings): an image of h×w valid patches
 * spreads them over the S×S grid of position embeddings. Row i sits at the fraction i/h of the image, which
 * {@code bucketize(·, arange(1/S, 1, 1/S), right=True)} turns into a grid row; likewise for columns; the id is
 * {@code row·S + col}. All in float32 as the reference computes it.
 */
final class NavitPositions {
    /** Just under 1: the end of the fractional patch coordinates, as the reference writes it. */
    private static final double COORDINATE_END = 1 - 1e-6;
    /** Lanes of the float vectors in PyTorch's CPU {@code arange} kernel (see {@link #torchArange}). */
    private static final int ARANGE_LANES = 8;

    private final int side;
    /** {@code arange(1/S, 1, 1/S)}: the bucket boundaries of the fractional coordinates. */
    private final float[] boundaries;

    /** For a grid of {@code side}×{@code side} position embeddings. */
    NavitPositions(int side) {
        this.side = side;
        double step = 1.0 / side;
        boundaries = torchArange(step, 1.0, step);
    }

    /**
     * The position id of every patch of one image whose patch mask is {@code mask[offset, offset + rows·cols)}
     * (row-major): h is the number of valid patches in the first column, w in the first row, and the h·w ids go to
     * the valid patches in reading order. Masked patches keep id 0.
     */
    int[] ids(boolean[] mask, int offset, int rows, int cols) {
        int validRows = 0;
        for (int r = 0; r < rows; r++) {
            validRows += mask[offset + r * cols] ? 1 : 0;
        }
        int validCols = 0;
        for (int c = 0; c < cols; c++) {
            validCols += mask[offset + c] ? 1 : 0;
        }
        int[] bucketRows = buckets(validRows);
        int[] bucketCols = buckets(validCols);
        int[] ids = new int[rows * cols];
        int next = 0;
        int total = bucketRows.length * bucketCols.length;
        for (int i = 0; i < ids.length; i++) {
            if (mask[offset + i]) {
                if (next == total) {
                    throw new IllegalArgumentException(validPatchesError(rows, cols, validRows, validCols, mask,
                            offset));
                }
                ids[i] = bucketRows[next / bucketCols.length] * side + bucketCols[next % bucketCols.length];
                next++;
            }
        }
        if (next != total) {
            throw new IllegalArgumentException(validPatchesError(rows, cols, validRows, validCols, mask, offset));
        }
        return ids;
    }

    private static String validPatchesError(int rows, int cols, int validRows, int validCols, boolean[] mask,
                                            int offset) {
        int valid = 0;
        for (int i = 0; i < rows * cols; i++) {
            valid += mask[offset + i] ? 1 : 0;
        }
        return "patch attention mask of " + rows + "x" + cols + " patches has " + valid + " valid patches, not the "
                + validRows + "x" + validCols + " block its first column and row imply (the valid pixels of an "
                + "image must form a rectangle at its top left)";
    }

    /** Grid rows (or columns) of {@code valid} patches spread over the image: the fractions i/valid, bucketed. */
    private int[] buckets(int valid) {
        if (valid == 0) {
            throw new IllegalArgumentException("an image has no valid patch in its first row or column "
                    + "(pixel attention mask all 0 there)");
        }
        float[] fractions = torchArange(0, COORDINATE_END, 1f / valid);
        int[] out = new int[fractions.length];
        for (int i = 0; i < out.length; i++) {
            int b = 0;
            while (b < boundaries.length && boundaries[b] <= fractions[i]) {
                b++;
            }
            out[i] = b;
        }
        return out;
    }

    /**
     * {@code torch.arange(start, end, step)} in float32 exactly as PyTorch 1.13's CPU kernel fills it (the reference
     * environment; its AVX2 and default kernels alike): {@code ceil((end - start) / step)} values, computed in double
     * and rounded to float, except that pairs of 8-lane vectors take {@code base + lane·step} from a base already
     * rounded to float (the values left after the last whole pair are scalar). The two differ in the last bit now and
     * then, which moves a bucketed position when a fraction meets a boundary, as for 49 or 58 patches across a grid
     * of 70.
     */
    static float[] torchArange(double start, double end, double step) {
        int n = (int) Math.ceil((end - start) / step);
        float[] out = new float[n];
        int i = 0;
        for (; i + 2 * ARANGE_LANES <= n; i += 2 * ARANGE_LANES) {
            for (int v = i; v < i + 2 * ARANGE_LANES; v += ARANGE_LANES) {
                float base = (float) (start + step * v);
                for (int lane = 0; lane < ARANGE_LANES; lane++) {
                    out[v + lane] = (float) (base + lane * step);
                }
            }
        }
        for (; i < n; i++) {
            out[i] = (float) (start + step * i);
        }
        return out;
    }
}
