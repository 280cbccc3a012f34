package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.tensor.Ops;

/** IdeficsRMSNorm (the LLaMA RMSNorm): scale only, no bias. */
public final class RmsNorm {
    private final float[] weight;
    private final double eps;
    private final int dim;

    private RmsNorm(float[] weight, double eps) {
        this.weight = weight;
        this.eps = eps;
        this.dim = weight.length;
    }

    public static RmsNorm load(Checkpoint ckpt, String name, int dim, double eps) {
        return new RmsNorm(ckpt.floats(name + ".weight", dim), eps);
    }

    public float[] forward(float[] x, int n) {
        float[] y = new float[n * dim];
        Ops.rmsNorm(x, 0, n, dim, weight, eps, y, 0);
        return y;
    }

    /** Normalises {@code n} rows of width {@code dim} at {@code offset} in place (per-head q/k norms). */
    public void forwardInPlace(float[] x, int offset, int n) {
        Ops.rmsNorm(x, offset, n, dim, weight, eps, x, offset);
    }
}
