package dev.idefics4j.model.idefics;

/**
 * What the text decoder needs from a request's images, computed once: per batch row, the image states
 * ({@code image_hidden_states}: images × image_seq_len × vision_dim) and, for every gated cross-attention layer, the
 * keys and values projected from them (q/k norms already applied). Decoding steps reuse it unchanged.
 */
public final class ImageContext {
    private final int imageSeqLen;
    private final int stateDim;
    private final int[] imagesPerRow;
    private final float[][] states;        // [row] -> images * imageSeqLen * stateDim
    private final float[][][] crossKeys;   // [layer][row] -> images * imageSeqLen * hidden
    private final float[][][] crossValues;

    /**
     * @param crossKeys [cross-attention layer][row] that layer's keys of the row's image states; crossValues alike
     */
    public ImageContext(int imageSeqLen, int stateDim, int[] imagesPerRow, float[][] states, float[][][] crossKeys,
                 float[][][] crossValues) {
        this.imageSeqLen = imageSeqLen;
        this.stateDim = stateDim;
        this.imagesPerRow = imagesPerRow;
        this.states = states;
        this.crossKeys = crossKeys;
        this.crossValues = crossValues;
    }

    public int rows() {
        return imagesPerRow.length;
    }

    public int images(int row) {
        return imagesPerRow[row];
    }

    public int imageSeqLen() {
        return imageSeqLen;
    }

    public int stateDim() {
        return stateDim;
    }

    /** The image states of one row, [images, image_seq_len, vision_dim]. */
    public float[] states(int row) {
        return states[row];
    }

    float[] crossKeys(int layer, int row) {
        return crossKeys[layer][row];
    }

    float[] crossValues(int layer, int row) {
        return crossValues[layer][row];
    }

    /**
     * A context whose row i is this context's row {@code sources[i]}: expanding a batch for beams or return
     * sequences, or reordering it. The data are shared, never written after creation.
     */
    public ImageContext select(int[] sources) {
        int[] counts = new int[sources.length];
        float[][] st = new float[sources.length][];
        float[][][] ck = new float[crossKeys.length][sources.length][];
        float[][][] cv = new float[crossValues.length][sources.length][];
        for (int i = 0; i < sources.length; i++) {
            int s = sources[i];
            counts[i] = imagesPerRow[s];
            st[i] = states[s];
            for (int l = 0; l < crossKeys.length; l++) {
                ck[l][i] = crossKeys[l][s];
                cv[l][i] = crossValues[l][s];
            }
        }
        return new ImageContext(imageSeqLen, stateDim, counts, st, ck, cv);
    }

    /** The rows of several contexts one after another (independent sequences decoded in one batch). */
    static ImageContext join(ImageContext[] parts) {
        int rows = 0;
        for (ImageContext p : parts) {
            rows += p.rows();
        }
        int layers = parts.length == 0 ? 0 : parts[0].crossKeys.length;
        int[] counts = new int[rows];
        float[][] st = new float[rows][];
        float[][][] ck = new float[layers][rows][];
        float[][][] cv = new float[layers][rows][];
        int r = 0;
        for (ImageContext p : parts) {
            if (p.imageSeqLen != parts[0].imageSeqLen || p.crossKeys.length != layers) {
                throw new IllegalArgumentException("image contexts of different models cannot be joined");
            }
            for (int i = 0; i < p.rows(); i++, r++) {
                counts[r] = p.imagesPerRow[i];
                st[r] = p.states[i];
                for (int l = 0; l < layers; l++) {
                    ck[l][r] = p.crossKeys[l][i];
                    cv[l][r] = p.crossValues[l][i];
                }
            }
        }
        return new ImageContext(parts[0].imageSeqLen, parts[0].stateDim, counts, st, ck, cv);
    }
}
