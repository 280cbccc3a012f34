package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.Ops;

/** {@code nn.Linear}: {@code y = x W^T (+ b)} with W kept in its stored dtype. */
public final class Linear {
    private final MatrixWeight weight;
    private final float[] bias;

    Linear(MatrixWeight weight, float[] bias) {
        this.weight = weight;
        this.bias = bias;
    }

    public static Linear load(Checkpoint ckpt, String prefix, int in, int out, boolean bias) {
        MatrixWeight w = ckpt.linearWeight(prefix + ".weight", out, in);
        float[] b = bias ? ckpt.floats(prefix + ".bias", out) : null;
        return new Linear(w, b);
    }

    public int in() {
        return weight.cols();
    }

    public int out() {
        return weight.rows();
    }

    public MatrixWeight weight() {
        return weight;
    }

    /** Applies the layer to {@code n} rows of {@code x}. */
    public float[] forward(float[] x, int n) {
        float[] y = new float[n * weight.rows()];
        forward(x, n, y);
        return y;
    }

    /**
     * Applies each of {@code layers}, which all read the same input width, to {@code n} rows of {@code x}: one
     * product call for all of them ({@link Kernels#matmulEach}), the same outputs as their {@link #forward}s.
     */
    public static float[][] forwardEach(float[] x, int n, Linear... layers) {
        MatrixWeight[] ws = new MatrixWeight[layers.length];
        float[][] ys = new float[layers.length][];
        for (int i = 0; i < layers.length; i++) {
            ws[i] = layers[i].weight;
            ys[i] = new float[n * layers[i].out()];
        }
        Kernels.matmulEach(x, n, ws, ys);
        for (int i = 0; i < layers.length; i++) {
            if (layers[i].bias != null) {
                Ops.addBias(ys[i], n, layers[i].bias);
            }
        }
        return ys;
    }

    public void forward(float[] x, int n, float[] y) {
        weight.matmul(x, n, y);
        if (bias != null) {
            Ops.addBias(y, n, bias);
        }
    }
}
