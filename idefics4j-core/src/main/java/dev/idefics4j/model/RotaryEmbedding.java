package dev.idefics4j.model;

/**
 * Rotary position embedding as IdeficsEmbedding / LlamaRotaryEmbedding (base 10000), applied with
 * {@code x·cos + rotate_half(x)·sin}, where rotate_half swaps the two halves of a head and negates the second.
 * The inverse frequencies and angles are computed in float32 as the reference computes them.
 */
final class RotaryEmbedding {
    private final int dim;
    private final float[] invFreq;

    RotaryEmbedding(int dim, double base) {
        this.dim = dim;
        invFreq = new float[dim / 2];
        for (int i = 0; i < dim / 2; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            invFreq[i] = 1f / (float) Math.pow(base, exponent);
        }
    }

    /** Rotates {@code heads} consecutive heads of width {@code dim} at {@code offset} for position {@code pos}. */
    void apply(float[] x, int offset, int heads, int pos) {
        int half = dim / 2;
        float[] cos = new float[half];
        float[] sin = new float[half];
        for (int i = 0; i < half; i++) {
            float angle = (float) pos * invFreq[i];
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
        for (int h = 0; h < heads; h++) {
            int o = offset + h * dim;
            for (int i = 0; i < half; i++) {
                float x1 = x[o + i];
                float x2 = x[o + i + half];
                x[o + i] = x1 * cos[i] - x2 * sin[i];
                x[o + i + half] = x2 * cos[i] + x1 * sin[i];
            }
        }
    }
}
