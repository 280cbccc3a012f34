package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.tensor.Ops;

/** {@code nn.LayerNorm} with weight and bias. */
public final class LayerNorm {
    private final float[] weight;
    private final float[] bias;
    private final double eps;
    private final int dim;

    private LayerNorm(float[] weight, float[] bias, double eps) {
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
        this.dim = weight.length;
    }

    public static LayerNorm load(Checkpoint ckpt, String prefix, int dim, double eps) {
        return new LayerNorm(ckpt.floats(prefix + ".weight", dim), ckpt.floats(prefix + ".bias", dim), eps);
    }

    public float[] forward(float[] x, int n) {
        float[] y = new float[n * dim];
        Ops.layerNorm(x, n, dim, weight, bias, eps, y);
        return y;
    }

    /** Into {@code out} (may be {@code x}). */
    public void forward(float[] x, int n, float[] out) {
        Ops.layerNorm(x, n, dim, weight, bias, eps, out);
    }

    public float[] weight() {
        return weight;
    }

    public float[] bias() {
        return bias;
    }

    public void forwardInPlace(float[] x, int n) {
        Ops.layerNorm(x, n, dim, weight, bias, eps, x);
    }
}
