package dev.idefics4j.model;

/**
 * Rotary position embedding as LlamaRotaryEmbedding (IdeficsEmbedding is its base-10000 case), applied with
 * {@code x·cos + rotate_half(x)·sin}, where rotate_half swaps the two halves of a head and negates the second.
 * The inverse frequencies are {@code 1 / theta^(2i/dim)}; with Llama 3.1's {@link RopeScaling}, a frequency whose
 * wavelength {@code λ = 2π/f} exceeds {@code original/low_freq_factor} becomes {@code f/factor}, one below
 * {@code original/high_freq_factor} stays, and those between become {@code (1−s)·f/factor + s·f} with
 * {@code s = (original/λ − low)/(high − low)}. Everything is computed in float32, operation by operation, as the
 * reference computes it.
 */
public final class RotaryEmbedding {
    private final int dim;
    private final float[] invFreq;

    /** Plain rotary embeddings of width {@code dim} and base {@code theta}. */
    public RotaryEmbedding(int dim, double theta) {
        this(dim, theta, null);
    }

    /** @param scaling null for none */
    public RotaryEmbedding(int dim, double theta, RopeScaling scaling) {
        this.dim = dim;
        invFreq = new float[dim / 2];
        for (int i = 0; i < dim / 2; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            invFreq[i] = 1f / (float) Math.pow(theta, exponent);
        }
        if (scaling != null) {
            applyLlama3(invFreq, scaling);
        }
    }

    /** The decoder's rotary embedding: {@code head_dim} wide, {@code rope_theta}, {@code rope_scaling}. */
    public static RotaryEmbedding of(LlamaConfig c) {
        return new RotaryEmbedding(c.headDim(), c.ropeTheta(), c.ropeScaling());
    }

    private static void applyLlama3(float[] invFreq, RopeScaling s) {
        float factor = (float) s.factor();
        float low = (float) s.lowFreqFactor();
        float original = s.originalMaxPositionEmbeddings();
        float lowFreqWavelen = (float) (s.originalMaxPositionEmbeddings() / s.lowFreqFactor());
        float highFreqWavelen = (float) (s.originalMaxPositionEmbeddings() / s.highFreqFactor());
        float twoPi = (float) (2 * Math.PI);
        float span = (float) (s.highFreqFactor() - s.lowFreqFactor());
        for (int i = 0; i < invFreq.length; i++) {
            float f = invFreq[i];
            // The reference divides a number by a tensor as the tensor's reciprocal times the number.
            float wavelen = (1f / f) * twoPi;
            if (wavelen > lowFreqWavelen) {
                invFreq[i] = f / factor;
            } else if (!(wavelen < highFreqWavelen)) {
                float smooth = ((1f / wavelen) * original - low) / span;
                invFreq[i] = (1f - smooth) * f / factor + smooth * f;
            }
        }
    }

    /** The inverse frequencies, {@code dim / 2} of them. */
    public float[] invFreq() {
        return invFreq.clone();
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
