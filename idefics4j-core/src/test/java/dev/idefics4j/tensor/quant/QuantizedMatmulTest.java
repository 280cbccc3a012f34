package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.NativeDecoding;
import dev.idefics4j.tensor.Weight;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The quantized kernels compute exactly the dense product with the dequantized weight (up to float summation order),
 * for shapes on the vector path (cols a multiple of 64, or of 128 for the native 4-bit kernel; even and odd row
 * counts, rows split across threads) and off it (cols not a multiple of 64 or of the vector length, odd element
 * counts), for one token, for several (the multi-row kernels) and for more than eight (the tiled product on panels
 * decoded as it needs them).
 */
class QuantizedMatmulTest {
    record Format(String name, Function<Weight, MatrixWeight> quantize, Function<MatrixWeight, float[]> dequantize) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Format[] formats() {
        return new Format[]{
                new Format("fp4", w -> FourBitQuantizer.quantize(w, FourBitCode.FP4, 64, false),
                        m -> ((FourBitWeight) m).dequantize()),
                new Format("nf4", w -> FourBitQuantizer.quantize(w, FourBitCode.NF4, 64, false),
                        m -> ((FourBitWeight) m).dequantize()),
                new Format("nf4-double-quant", w -> FourBitQuantizer.quantize(w, FourBitCode.NF4, 64, true),
                        m -> ((FourBitWeight) m).dequantize()),
                new Format("fp4-blocksize-128", w -> FourBitQuantizer.quantize(w, FourBitCode.FP4, 128, false),
                        m -> ((FourBitWeight) m).dequantize()),
                new Format("nf4-blocksize-256", w -> FourBitQuantizer.quantize(w, FourBitCode.NF4, 256, false),
                        m -> ((FourBitWeight) m).dequantize()),
                new Format("int8", Int8Weight::quantize, m -> ((Int8Weight) m).dequantize()),
        };
    }

    static Stream<Arguments> cases() {
        Format[] formats = formats();
        // [37, 1024], [3, 1280], [130, 256], [65, 384] and [1, 128] take the native 4-bit kernel where it runs (whole
        // 128-element steps; more than 48 rows per thread are several calls); the others the Java ones.
        int[][] shapes = {{5, 192}, {8, 64}, {37, 1024}, {3, 1280}, {7, 100}, {3, 33}, {4, 24}, {1, 17}, {6, 96},
                {130, 256}, {65, 384}, {1, 128}};
        // Above 8 tokens the tiled product runs on decoded panels where the native kernels do not take them (or above
        // 64 tokens).
        int[] tokens = {1, 2, 5, 8, 9, 20, 70};
        Stream.Builder<Arguments> b = Stream.builder();
        for (Format f : formats) {
            for (int[] s : shapes) {
                for (int n : tokens) {
                    b.add(Arguments.of(f, s[0], s[1], n));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} [{1}, {2}] x {3} tokens")
    @MethodSource("cases")
    void matchesDequantizedDenseProduct(Format format, int rows, int cols, int n) {
        float[] w = FourBitQuantizationTest.gaussian(rows * cols, 0.05, rows * 31L + cols);
        float[] x = FourBitQuantizationTest.gaussian(n * cols, 1.0, cols * 7L + n);
        MatrixWeight q = format.quantize.apply(FourBitQuantizationTest.f32("w", rows, cols, w));
        float[] dq = format.dequantize.apply(q);
        float[] out = new float[n * rows];
        q.matmul(x, n, out);
        assertProduct(format, rows, cols, n, x, dq, out);
        if (n <= Kernels.GEMV_MAX_ROWS && q instanceof Int8Weight w8) {
            // The Java kernels, which int8 weights take where the native library does not run.
            float[] java = new float[n * rows];
            if (n == 1) {
                Int8Kernels.oneToken(w8, x, java);
            } else {
                Int8Kernels.fewTokens(w8, x, n, java);
            }
            assertProduct(format, rows, cols, n, x, dq, java);
        }
        boolean nativeKernel = q instanceof Int8Weight ? NativeDecoding.takesInt8()
                : FourBitKernels.vectorized((FourBitWeight) q)
                        && NativeDecoding.takesFourBit(cols, ((FourBitWeight) q).blocksize());
        if (n > 1 && n <= Kernels.NATIVE_DECODE_MAX_ROWS && nativeKernel) {
            // The native kernels sum each token as they would alone.
            for (int t = 0; t < n; t++) {
                float[] alone = new float[rows];
                q.matmul(java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, alone);
                for (int r = 0; r < rows; r++) {
                    assertEquals(alone[r], out[t * rows + r], format + " row " + r + " token " + t + " of " + n);
                }
            }
        }
    }

    /** A kernel's product of n tokens against one quantized weight. */
    @FunctionalInterface
    private interface Product {
        void multiply(float[] x, int n, float[] out);
    }

    /**
     * The dequantized product within float tolerance for every batch size, each token's sums the same alone or
     * among up to 64.
     */
    private static void assertKernel(Format format, MatrixWeight q, Product product, long seed) {
        int rows = q.rows(), cols = q.cols();
        float[] dq = format.dequantize.apply(q);
        int most = Kernels.NATIVE_DECODE_MAX_ROWS;
        float[] x = FourBitQuantizationTest.gaussian(most * cols, 1.0, seed);
        float[][] alone = new float[most][rows];
        for (int t = 0; t < most; t++) {
            product.multiply(java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, alone[t]);
        }
        for (int n : new int[]{2, 3, 4, 5, 7, 9, most}) {
            float[] out = new float[n * rows];
            product.multiply(x, n, out);
            assertProduct(format, rows, cols, n, x, dq, out);
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    assertEquals(alone[t][r], out[t * rows + r], format + " row " + r + " token " + t + " of " + n);
                }
            }
        }
    }

    private static Format format(String name) {
        return java.util.Arrays.stream(formats()).filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    /**
     * The AVX2 4-bit kernel (CPUs without AVX-512; callable on any CPU with AVX2), on 64-element steps: 1280 is 10
     * of them, which the AVX-512 kernel's 128-element steps do not divide; rows past tiles and blocks of 12.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fp4", "nf4", "nf4-double-quant", "nf4-blocksize-256"})
    void avx2FourBitKernelMatchesTheProductAndIsBatchInvariant(String name) {
        assumeTrue(NativeDecoding.avx2Available(), "the AVX2 kernels do not run here");
        Format format = format(name);
        for (int[] shape : new int[][]{{37, 1280}, {13, 256}, {50, 512}}) {
            int rows = shape[0], cols = shape[1];
            float[] w = FourBitQuantizationTest.gaussian(rows * cols, 0.05, rows * 13L + cols);
            FourBitWeight q = (FourBitWeight) format.quantize.apply(FourBitQuantizationTest.f32("w", rows, cols, w));
            assertKernel(format, q, (x, n, out) -> NativeDecoding.fourBit(false, x, n, rows, cols, q.packed(),
                    q.blocksize(), q.table(), q.scales()::decode, out), cols * 5L + rows);
        }
    }

    /** The AVX2 int8 kernel, likewise (any CPU with AVX2), with column counts that leave an 8-element tail. */
    @org.junit.jupiter.api.Test
    void avx2Int8KernelMatchesTheProductAndIsBatchInvariant() {
        assumeTrue(NativeDecoding.avx2Available(), "the AVX2 kernels do not run here");
        Format format = format("int8");
        for (int[] shape : new int[][]{{37, 1280}, {13, 100}, {50, 517}, {5, 7}}) {
            int rows = shape[0], cols = shape[1];
            float[] w = FourBitQuantizationTest.gaussian(rows * cols, 0.05, rows * 17L + cols);
            Int8Weight q = (Int8Weight) format.quantize.apply(FourBitQuantizationTest.f32("w", rows, cols, w));
            assertKernel(format, q, (x, n, out) -> NativeDecoding.int8(false, x, n, rows, cols, q.values(),
                    q.rowScales(), out), cols * 3L + rows);
        }
    }

    private static void assertProduct(Format format, int rows, int cols, int n, float[] x, float[] dq, float[] out) {
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                double ref = 0;
                double mag = 0;
                for (int k = 0; k < cols; k++) {
                    ref += (double) dq[r * cols + k] * x[t * cols + k];
                    mag += Math.abs((double) dq[r * cols + k] * x[t * cols + k]);
                }
                double err = Math.abs(out[t * rows + r] - ref);
                assertTrue(err <= 1e-5 * mag + 1e-6, format + " row " + r + " token " + t + ": " + out[t * rows + r]
                        + " vs " + ref);
            }
        }
    }
}
