package dev.idefics4j.tensor;

/**
 * Element-wise and row-wise neural-network math on float32 rows ({@code n} rows of {@code dim}), computed in the
 * same order as PyTorch's float32 CPU kernels where that matters for parity.
 */
public final class Ops {
    private static final double SQRT_HALF = Math.sqrt(0.5);

    private Ops() {
    }

    /** LayerNorm with biased variance, as {@code torch.nn.LayerNorm}. In place is allowed ({@code out == x}). */
    public static void layerNorm(float[] x, int n, int dim, float[] weight, float[] bias, double eps, float[] out) {
        for (int r = 0; r < n; r++) {
            int o = r * dim;
            double mean = 0;
            for (int i = 0; i < dim; i++) {
                mean += x[o + i];
            }
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[o + i] - mean;
                var += d * d;
            }
            var /= dim;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int i = 0; i < dim; i++) {
                out[o + i] = (float) ((x[o + i] - mean) * inv) * weight[i] + bias[i];
            }
        }
    }

    /** RMSNorm as IdeficsRMSNorm / LlamaRMSNorm: {@code w * (x * rsqrt(mean(x^2) + eps))}. In place allowed. */
    public static void rmsNorm(float[] x, int xo, int n, int dim, float[] weight, double eps, float[] out, int oo) {
        for (int r = 0; r < n; r++) {
            int a = xo + r * dim;
            int b = oo + r * dim;
            double sumSq = 0;
            for (int i = 0; i < dim; i++) {
                sumSq += (double) x[a + i] * x[a + i];
            }
            float inv = (float) (1.0 / Math.sqrt((float) (sumSq / dim) + eps));
            for (int i = 0; i < dim; i++) {
                out[b + i] = weight[i] * (x[a + i] * inv);
            }
        }
    }

    /** Exact (erf-based) GELU, as {@code torch.nn.functional.gelu} with approximate='none'. */
    public static void gelu(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1.0 + erf(v * SQRT_HALF)));
        }
    }

    /** SiLU: {@code x * sigmoid(x)}. */
    public static float silu(float v) {
        return (float) (v / (1.0 + Math.exp(-v)));
    }

    public static void relu(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            if (x[i] < 0) {
                x[i] = 0;
            }
        }
    }

    /** {@code gate[i] = silu(gate[i]) * up[i]}: the LLaMA MLP's gated activation. */
    public static void siluMul(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            gate[i] = silu(gate[i]) * up[i];
        }
    }

    /** Softmax of {@code x[off, off+len)} in place, max-subtracted for stability. */
    public static void softmax(float[] x, int off, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < len; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < len; i++) {
            x[off + i] *= inv;
        }
    }

    /** {@code y[i] += x[i]}. */
    public static void addInPlace(float[] y, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += x[i];
        }
    }

    /**
     * The error function, accurate to about 1e-15: a Taylor series near zero and a continued fraction for erfc in
     * the tails (Math has no erf; GELU needs it at full float precision).
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 2.5) {
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int k = 1; k < 60; k++) {
                term *= -x2 / k;
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 2.0 / Math.sqrt(Math.PI) * sum;
        }
        if (ax > 6.0) {
            return Math.signum(x);
        }
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
        double f = ax;
        for (int k = 60; k >= 1; k--) {
            f = ax + (k / 2.0) / f;
        }
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        return Math.signum(x) * (1.0 - erfc);
    }
}
