package dev.idefics4j.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Matrix products of every path (few rows, tiled, partial panels, depth tails) against a double-precision sum. */
class KernelsTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        int[][] shapes = {{1, 5, 7}, {1, 64, 96}, {2, 33, 70}, {3, 7, 300}, {4, 64, 64}, {8, 40, 128}, {5, 9, 33},
                {6, 41, 100}, {7, 23, 64},
                {9, 40, 40}, {12, 32, 27}, {20, 96, 300}, {33, 80, 600}, {257, 70, 588}, {64, 1, 16}};
        for (DType d : new DType[]{DType.F32, DType.BF16, DType.F16}) {
            for (int[] s : shapes) {
                b.add(Arguments.of(d, s[0], s[1], s[2]));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1}x{3} by {2}x{3}")
    @MethodSource("shapes")
    void matmulMatchesDoubleSum(DType dtype, int n, int rows, int in) {
        SplittableRandom rnd = new SplittableRandom(n * 31L + rows * 7L + in);
        MemorySegment seg = Arena.ofAuto().allocate((long) rows * in * dtype.byteSize(), 64);
        // Odd offsets in the segment: mapped checkpoints are not vector-aligned either.
        Weight w = new Weight("w", dtype, rows, in, seg);
        float[] wf = new float[rows * in];
        for (int i = 0; i < wf.length; i++) {
            float v = (float) rnd.nextDouble(-1, 1);
            switch (dtype) {
                case F32 -> seg.setAtIndex(FLOAT, i, v);
                case BF16 -> seg.setAtIndex(SHORT, i, BFloat16.fromFloat(v));
                default -> seg.setAtIndex(SHORT, i, Float.floatToFloat16(v));
            }
        }
        Kernels.widen(seg, dtype, 0, wf, 0, wf.length);
        float[] x = new float[n * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble(-2, 2);
        }
        float[] out = new float[n * rows];
        Kernels.matmul(x, n, w, out);
        assertProduct(dtype, n, rows, in, x, wf, out);
        if (dtype != DType.F16 && n <= Kernels.GEMV_MAX_ROWS) {
            // The Java decoding kernels, which bf16 weights take where the native library does not run.
            float[] java = new float[n * rows];
            Gemv.multiply(x, n, w, java);
            assertProduct(dtype, n, rows, in, x, wf, java);
        }
    }

    /** A product of n tokens against a weight, as one of the decoding paths computes it. */
    @FunctionalInterface
    private interface Product {
        void multiply(float[] x, int n, Weight w, float[] out);
    }

    /** Each token of every batch size in {@code sizes} gets exactly the sums it gets alone. */
    private static void assertBatchInvariant(Product product, Weight w, int[] sizes, SplittableRandom rnd) {
        int rows = w.rows();
        int depth = w.cols();
        int most = java.util.Arrays.stream(sizes).max().orElseThrow();
        float[] x = new float[most * depth];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble(-2, 2);
        }
        float[][] alone = new float[most][rows];
        for (int t = 0; t < most; t++) {
            product.multiply(java.util.Arrays.copyOfRange(x, t * depth, (t + 1) * depth), 1, w, alone[t]);
        }
        for (int n : sizes) {
            float[] out = new float[n * rows];
            product.multiply(x, n, w, out);
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    assertEquals(alone[t][r], out[t * rows + r],
                            rows + "x" + depth + ", token " + t + " of " + n + ", row " + r);
                }
            }
        }
    }

    private static Weight randomWeight(DType dtype, int rows, int depth, SplittableRandom rnd) {
        MemorySegment seg = Arena.ofAuto().allocate((long) rows * depth * dtype.byteSize(), 64);
        for (int i = 0; i < rows * depth; i++) {
            float v = (float) rnd.nextDouble(-1, 1);
            if (dtype == DType.F32) {
                seg.setAtIndex(FLOAT, i, v);
            } else {
                seg.setAtIndex(SHORT, i, BFloat16.fromFloat(v));
            }
        }
        return new Weight("w", dtype, rows, depth, seg);
    }

    /**
     * The Java decoding kernels, which run wherever the native ones do not (and for float32 weights): a token's sums
     * do not depend on the tokens beside it, for every batch the kernels take (up to {@link Kernels#GEMV_MAX_ROWS}).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = DType.class, names = {"F32", "BF16"})
    void javaDecodingSumsEachTokenTheSameAloneOrBatched(DType dtype) {
        SplittableRandom rnd = new SplittableRandom(13);
        int[] sizes = java.util.stream.IntStream.rangeClosed(2, Kernels.GEMV_MAX_ROWS).toArray();
        for (int[] shape : new int[][]{{23, 33}, {21, 300}, {9, 1030}, {4, 64}, {5, 16}}) {
            assertBatchInvariant(Gemv::multiply, randomWeight(dtype, shape[0], shape[1], rnd), sizes, rnd);
        }
    }

    /**
     * The AVX2 decoding kernel for bf16 weights (CPUs without AVX512_BF16; callable on any CPU with AVX2): the dense
     * product within float tolerance, each token's sums the same alone or among up to 64, partial tiles and blocks
     * and depth tails included.
     */
    @Test
    void avx2Bf16DecodingMatchesTheProductAndIsBatchInvariant() {
        assumeTrue(NativeDecoding.avx2Available(), "the AVX2 decoding kernel does not run here");
        SplittableRandom rnd = new SplittableRandom(17);
        int[] sizes = {2, 3, 4, 5, 7, 8, 9, 13, 16, 33, Kernels.NATIVE_DECODE_MAX_ROWS};
        for (int[] shape : new int[][]{{23, 33}, {50, 300}, {7, 15}, {1, 16}, {24, 4096}}) {
            Weight w = randomWeight(DType.BF16, shape[0], shape[1], rnd);
            assertBatchInvariant(NativeDecoding::bf16Avx2, w, sizes, rnd);
            float[] wf = new float[shape[0] * shape[1]];
            Kernels.widen(w.data(), DType.BF16, 0, wf, 0, wf.length);
            for (int n : new int[]{1, 5, 13}) {
                float[] x = new float[n * shape[1]];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextDouble(-2, 2);
                }
                float[] out = new float[n * shape[0]];
                NativeDecoding.bf16Avx2(x, n, w, out);
                assertProduct(DType.BF16, n, shape[0], shape[1], x, wf, out);
            }
        }
    }

    @Test
    void evenOddSplitIsTheJavaKernelsLayoutAtTheirWidth() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int depth : new int[]{7, 2 * Kernels.L, 100, 4096}) {
            float[] x = new float[3 * depth];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextDouble();
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(Gemv.deinterleave(x, 3, depth),
                    NativeDecoding.splitEvenOdd(x, 3, depth, Kernels.L), "depth " + depth);
        }
    }

    /**
     * Several weights against one input in one call (a layer's q, k and v): each output bit for bit what its own
     * product gives, whether the call takes the native kernel over all their tiles in one loop (stored bf16, chunks
     * spanning two weights) or multiplies them in turn (a float32 weight among them).
     */
    @Test
    void productsOfOneInputTogetherEqualEachAlone() {
        SplittableRandom rnd = new SplittableRandom(19);
        int depth = 300;
        Weight[] bf16 = {randomWeight(DType.BF16, 23, depth, rnd), randomWeight(DType.BF16, 7, depth, rnd),
                randomWeight(DType.BF16, 400, depth, rnd), randomWeight(DType.BF16, 1, depth, rnd)};
        Weight[] mixed = {bf16[0], randomWeight(DType.F32, 9, depth, rnd), bf16[2]};
        for (Weight[] ws : new Weight[][]{bf16, mixed}) {
            for (int n : new int[]{1, 3, 9}) {
                float[] x = new float[n * depth];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextDouble(-2, 2);
                }
                float[][] outs = new float[ws.length][];
                for (int i = 0; i < ws.length; i++) {
                    outs[i] = new float[n * ws[i].rows()];
                }
                Kernels.matmulEach(x, n, ws, outs);
                for (int i = 0; i < ws.length; i++) {
                    float[] alone = new float[n * ws[i].rows()];
                    Kernels.matmul(x, n, ws[i], alone);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(alone, outs[i], "weight " + i + ", n " + n);
                }
            }
        }
    }

    @Test
    void nativeBf16DecodingSumsEachTokenTheSameAloneOrBatched() {
        // bf16 takes the native kernel only beside 16-lane Java vectors (Bf16Dot.decode); with narrower ones
        // (-XX:UseAVX=2, say) it takes the Java kernels, batch-invariant up to Kernels.GEMV_MAX_ROWS tokens
        // (javaDecodingSumsEachTokenTheSameAloneOrBatched), where this test goes to 64.
        assumeTrue(NativeDecoding.available() && Kernels.L == 16, "the native bf16 decoding kernel does not run here");
        SplittableRandom rnd = new SplittableRandom(11);
        int rows = 23; // four tiles of five rows and a partial one
        for (int depth : new int[]{33, 300, 4096}) {
            assertBatchInvariant(Kernels::matmul, randomWeight(DType.BF16, rows, depth, rnd),
                    new int[]{2, 3, 4, 5, 6, 7, 8, 13, Kernels.NATIVE_DECODE_MAX_ROWS}, rnd);
        }
    }

    private static void assertProduct(DType dtype, int n, int rows, int in, float[] x, float[] wf, float[] out) {
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                double exact = 0;
                double scale = 0;
                for (int k = 0; k < in; k++) {
                    exact += (double) x[t * in + k] * wf[r * in + k];
                    scale += Math.abs((double) x[t * in + k] * wf[r * in + k]);
                }
                double err = Math.abs(out[t * rows + r] - exact);
                assertTrue(err <= 1e-6 * scale + 1e-6, dtype + " [" + t + "][" + r + "] " + out[t * rows + r]
                        + " vs " + exact);
            }
        }
    }
}
