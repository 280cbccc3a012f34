package dev.idefics4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Brings the kernels to their compiled form on small inputs. Until the JIT has compiled a Vector API loop, every
 * vector operation allocates and runs a scalar fallback, some hundred times slower; the first large call would
 * spend seconds there. A few hundred small calls of each path (GEMV per dtype and token count, GEMM, both
 * attention paths, the norms and activations) take about a second and leave them compiled.
 */
public final class Warmup {
    private static final int ROUNDS = 150;

    private Warmup() {
    }

    /** Runs the warm-up on the calling thread (and the compute threads); returns the seconds it took. */
    public static double run() {
        long start = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(3);
        int rows = 64;
        int cols = 256;
        try (Arena arena = Arena.ofShared()) {
            Weight[] weights = {weight(arena, DType.BF16, rows, cols, rnd), weight(arena, DType.F32, rows, cols, rnd),
                    weight(arena, DType.F16, rows, cols, rnd)};
            float[] x = random(rnd, 24 * cols);
            float[] out = new float[24 * rows];
            int heads = 2;
            int dim = 80; // not a multiple of the panel width: the partial-panel paths compile too
            int width = heads * dim;
            float[] q = random(rnd, 24 * width);
            float[] kv = random(rnd, 24 * width);
            float[] att = new float[24 * width];
            int held = Attention.HELD_DIM; // decoding idefics-9b's and -80b's heads takes its own path
            int half = Attention.HALF_HELD_DIM;
            float[] qHeld = random(rnd, 2 * heads * held);
            float[] kvHeld = random(rnd, 24 * heads * held);
            short[] kvHeldBf16 = new short[kvHeld.length]; // a bf16 KV cache's head-major rows
            for (int i = 0; i < kvHeld.length; i++) {
                kvHeldBf16[i] = BFloat16.fromFloat(kvHeld[i]);
            }
            int[] causal = new int[24];
            for (int i = 0; i < causal.length; i++) {
                causal[i] = i + 1;
            }
            float[] norm = new float[cols];
            java.util.Arrays.fill(norm, 1f);
            for (int r = 0; r < ROUNDS; r++) {
                for (Weight w : weights) {
                    for (int n : new int[]{1, 2, 5, 8, 24}) {
                        Kernels.matmul(x, n, w, out);
                    }
                }
                for (int nq : new int[]{1, 3, 24}) {
                    Parallel.forEach(heads, true, h -> Attention.attendHead(q, h * dim, width, kv, h * dim, width, kv,
                            h * dim, width, nq, 24, dim, 0.125f, nq == 1 ? null : causal, null, att, h * dim, width));
                }
                for (int nq : new int[]{1, 2}) {
                    int w = heads * held;
                    Parallel.forEach(heads, true, h -> Attention.attendHead(qHeld, h * held, w, kvHeld, h * held, w,
                            kvHeld, h * held, w, nq, 24, held, 0.125f, null, null, att, h * held, w));
                    Parallel.forEach(heads, true, h -> Attention.attendHeadBf16(qHeld, h * held, w, kvHeldBf16,
                            h * 12 * held, kvHeldBf16, h * 12 * held, nq, 12, held, 0.125f, null, null, att, h * held, w));
                    // SmolVLM's 64-wide heads (on AVX-512) take their own decoding path too.
                    Parallel.forEach(heads, true, h -> Attention.attendHead(qHeld, h * half, w, kvHeld, h * half, w,
                            kvHeld, h * half, w, nq, 24, half, 0.125f, null, null, att, h * half, w));
                    Parallel.forEach(heads, true, h -> Attention.attendHeadBf16(qHeld, h * half, w, kvHeldBf16,
                            h * 12 * half, kvHeldBf16, h * 12 * half, nq, 12, half, 0.125f, null, null, att, h * half, w));
                }
                float[] y = x.clone();
                Ops.layerNorm(y, 4, cols, norm, norm, 1e-5, y);
                Ops.rmsNorm(y, 0, 4, cols, norm, 1e-6, y, 0);
                Ops.gelu(y, 4 * cols);
                Ops.siluMul(y, x, 4 * cols);
                Ops.relu(y, 4 * cols);
                Ops.addInPlace(y, x, 4 * cols);
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        return a;
    }

    private static Weight weight(Arena arena, DType d, int rows, int cols, SplittableRandom rnd) {
        MemorySegment seg = arena.allocate((long) rows * cols * d.byteSize(), 64);
        Weight w = new Weight("warmup", d, rows, cols, seg);
        float[] values = random(rnd, rows * cols);
        Weight f32 = new Weight("warmup", DType.F32, rows, cols,
                MemorySegment.ofArray(values));
        Weight converted = WeightFormats.as(f32, d);
        MemorySegment.copy(converted.data(), 0, seg, 0, seg.byteSize());
        return w;
    }
}
