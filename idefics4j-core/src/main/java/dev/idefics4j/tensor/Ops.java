package dev.idefics4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and row-wise neural-network math on float32 rows ({@code n} rows of {@code dim}), vectorised; sums
 * use several accumulators, which moves results by float rounding only (far inside the parity tolerance).
 */
public final class Ops {
    private static final VectorSpecies<Float> F = Kernels.F;
    private static final int L = Kernels.L;
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);
    /** sqrt(2/pi) and the cubic coefficient of the tanh approximation of GELU. */
    private static final float GELU_TANH_BETA = (float) Math.sqrt(2 / Math.PI);
    private static final float GELU_TANH_KAPPA = 0.044715f;

    private Ops() {
    }

    /** LayerNorm with biased variance, as {@code torch.nn.LayerNorm}. In place is allowed ({@code out == x}). */
    public static void layerNorm(float[] x, int n, int dim, float[] weight, float[] bias, double eps, float[] out) {
        for (int r = 0; r < n; r++) {
            int o = r * dim;
            float mean = sum(x, o, dim) / dim;
            float var = squaredDeviation(x, o, dim, mean) / dim;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            // Full vectors, then a scalar tail of the same operations: a masked loop here fell off the JIT's
            // intrinsics (15 ns per element, a tenth of a ViT layer's time).
            int i = 0;
            for (; i + L <= dim; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, o + i).sub(mean).mul(inv);
                v.fma(FloatVector.fromArray(F, weight, i), FloatVector.fromArray(F, bias, i)).intoArray(out, o + i);
            }
            for (; i < dim; i++) {
                out[o + i] = Math.fma((x[o + i] - mean) * inv, weight[i], bias[i]);
            }
        }
    }

    /** {@code sum(x[o, o+n))}, four accumulators. */
    private static float sum(float[] x, int o, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(F, x, o + i));
            a1 = a1.add(FloatVector.fromArray(F, x, o + i + L));
            a2 = a2.add(FloatVector.fromArray(F, x, o + i + 2 * L));
            a3 = a3.add(FloatVector.fromArray(F, x, o + i + 3 * L));
        }
        for (; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            a0 = a0.add(FloatVector.fromArray(F, x, o + i, m), m);
        }
        return Kernels.sum(a0.add(a1).add(a2.add(a3)));
    }

    /** {@code sum((x[o, o+n) - center)^2)}, four accumulators. */
    private static float squaredDeviation(float[] x, int o, int n, float center) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            FloatVector d0 = FloatVector.fromArray(F, x, o + i).sub(center);
            FloatVector d1 = FloatVector.fromArray(F, x, o + i + L).sub(center);
            FloatVector d2 = FloatVector.fromArray(F, x, o + i + 2 * L).sub(center);
            FloatVector d3 = FloatVector.fromArray(F, x, o + i + 3 * L).sub(center);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
            a2 = d2.fma(d2, a2);
            a3 = d3.fma(d3, a3);
        }
        for (; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector d = FloatVector.fromArray(F, x, o + i, m).sub(center);
            a0 = a0.add(d.mul(d), m);
        }
        return Kernels.sum(a0.add(a1).add(a2.add(a3)));
    }

    /** RMSNorm as IdeficsRMSNorm / LlamaRMSNorm: {@code w * (x * rsqrt(mean(x^2) + eps))}. In place allowed. */
    public static void rmsNorm(float[] x, int xo, int n, int dim, float[] weight, double eps, float[] out, int oo) {
        for (int r = 0; r < n; r++) {
            int a = xo + r * dim;
            int b = oo + r * dim;
            FloatVector s0 = FloatVector.zero(F), s1 = s0;
            int i = 0;
            for (; i + 2 * L <= dim; i += 2 * L) {
                FloatVector u = FloatVector.fromArray(F, x, a + i);
                FloatVector v = FloatVector.fromArray(F, x, a + i + L);
                s0 = u.fma(u, s0);
                s1 = v.fma(v, s1);
            }
            for (; i < dim; i += L) {
                FloatVector u = FloatVector.fromArray(F, x, a + i, F.indexInRange(i, dim));
                s0 = u.fma(u, s0);
            }
            float sumSq = Kernels.sum(s0.add(s1));
            float inv = (float) (1.0 / Math.sqrt(sumSq / dim + eps));
            for (i = 0; i < dim; i += L) {
                VectorMask<Float> m = F.indexInRange(i, dim);
                FloatVector.fromArray(F, x, a + i, m).mul(inv).mul(FloatVector.fromArray(F, weight, i, m))
                        .intoArray(out, b + i, m);
            }
        }
    }

    /** Exact (erf-based) GELU, as {@code torch.nn.functional.gelu} with approximate='none'. */
    public static void gelu(float[] x, int n) {
        // On all cores: a ViT MLP's 257 x 5120 activations took 1.5 ms on one, a twentieth of the layer with
        // bf16 dot products.
        int blocks = (n + L - 1) / L;
        Parallel.forChunks(blocks, 16L * L, (b0, b1) -> geluRange(x, b0 * L, Math.min(n, b1 * L)));
    }

    private static void geluRange(float[] x, int from, int to) {
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(F, x, i, m);
            FloatVector e = VectorMath.erf(v.mul(SQRT_HALF));
            v.mul(0.5f).mul(e.add(1f)).intoArray(x, i, m);
        }
    }

    /**
     * GELU's tanh approximation, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, as
     * {@code torch.nn.functional.gelu} with approximate='tanh' (transformers' {@code gelu_pytorch_tanh}).
     */
    public static void geluTanh(float[] x, int n) {
        int blocks = (n + L - 1) / L;
        Parallel.forChunks(blocks, 16L * L, (b0, b1) -> geluTanhRange(x, b0 * L, Math.min(n, b1 * L)));
    }

    private static void geluTanhRange(float[] x, int from, int to) {
        for (int i = from; i < to; i += L) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(F, x, i, m);
            FloatVector inner = v.mul(v).mul(v).mul(GELU_TANH_KAPPA).add(v).mul(GELU_TANH_BETA);
            v.mul(0.5f).mul(VectorMath.tanh(inner).add(1f)).intoArray(x, i, m);
        }
    }

    /** SiLU: {@code x * sigmoid(x)}. */
    public static float silu(float v) {
        return (float) (v / (1.0 + Math.exp(-v)));
    }

    private static FloatVector silu(FloatVector v) {
        return v.div(VectorMath.exp(v.neg()).add(1f));
    }

    public static void relu(float[] x, int n) {
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector.fromArray(F, x, i, m).max(0f).intoArray(x, i, m);
        }
    }

    /** {@code gate[i] = silu(gate[i]) * up[i]}: the LLaMA MLP's gated activation. */
    public static void siluMul(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            silu(FloatVector.fromArray(F, gate, i, m)).mul(FloatVector.fromArray(F, up, i, m))
                    .intoArray(gate, i, m);
        }
    }

    /** Softmax of {@code x[off, off+len)} in place, max-subtracted for stability. */
    public static void softmax(float[] x, int off, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            max = Math.max(max, x[off + i]);
        }
        float inv = 1f / expInPlace(x, off, len, max);
        scale(x, off, len, inv);
    }

    /** {@code x[i] = exp(x[i] - shift)} over {@code x[off, off+len)}; returns their sum. */
    public static float expInPlace(float[] x, int off, int len, float shift) {
        FloatVector sum = FloatVector.zero(F);
        for (int i = 0; i < len; i += L) {
            VectorMask<Float> m = F.indexInRange(i, len);
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, off + i, m).sub(shift));
            e.intoArray(x, off + i, m);
            sum = sum.add(e, m);
        }
        return Kernels.sum(sum);
    }

    /** {@code x[i] *= a} over {@code x[off, off+len)}. */
    public static void scale(float[] x, int off, int len, float a) {
        for (int i = 0; i < len; i += L) {
            VectorMask<Float> m = F.indexInRange(i, len);
            FloatVector.fromArray(F, x, off + i, m).mul(a).intoArray(x, off + i, m);
        }
    }

    /** {@code y[r][i] += bias[i]} for rows r in [0, n) of width {@code bias.length}, on all cores when large. */
    public static void addBias(float[] y, int n, float[] bias) {
        int width = bias.length;
        Parallel.forChunks(n, width, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * width;
                int i = 0;
                for (; i + L <= width; i += L) {
                    FloatVector.fromArray(F, y, o + i).add(FloatVector.fromArray(F, bias, i)).intoArray(y, o + i);
                }
                for (; i < width; i++) {
                    y[o + i] += bias[i];
                }
            }
        });
    }

    /** {@code y[i] += x[i]}. */
    public static void addInPlace(float[] y, float[] x, int n) {
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector.fromArray(F, y, i, m).add(FloatVector.fromArray(F, x, i, m)).intoArray(y, i, m);
        }
    }

    /**
     * The error function, accurate to about 1e-15: a Taylor series near zero and a continued fraction for erfc in
     * the tails. Slow; a reference for {@link VectorMath#erf}, which GELU uses.
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
