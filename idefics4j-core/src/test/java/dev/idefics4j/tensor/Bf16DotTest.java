package dev.idefics4j.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native bf16 dot-product kernel computes {@code sum_k bf16(x[t][k]) * W[r][k]}: checked against that sum
 * taken in double, over shapes that cut through every edge (partial panels and token tiles, odd depths, depth
 * blocks), and against the float32 path at bf16's precision.
 */
class Bf16DotTest {
    private static Weight bf16(int rows, int cols, Random rnd) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(2, (long) rows * cols * 2), 2)
                .asSlice(0, (long) rows * cols * 2);
        for (int i = 0; i < rows * cols; i++) {
            seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, BFloat16.fromFloat((float) rnd.nextGaussian()));
        }
        return new Weight("w", DType.BF16, rows, cols, seg);
    }

    private static float[] activations(int n, int depth, Random rnd) {
        float[] x = new float[n * depth];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 2);
        }
        return x;
    }

    /** Where the build had gcc and this CPU has AVX512_BF16, the kernel must be there (it compiles or fails loudly). */
    @Test
    void theKernelIsBuiltWhereItCanBe() throws java.io.IOException {
        java.nio.file.Path cpuinfo = java.nio.file.Path.of("/proc/cpuinfo");
        boolean cpu = java.nio.file.Files.isReadable(cpuinfo)
                && java.nio.file.Files.readString(cpuinfo).contains("avx512_bf16");
        boolean gcc = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/gcc"));
        boolean x86 = System.getProperty("os.arch", "").equals("amd64");
        assumeTrue(cpu && gcc && x86, "no AVX512_BF16, gcc or x86-64 here");
        assumeTrue(System.getProperty("idefics4j.native.library") == null, "another kernel library was chosen");
        assumeTrue(!"false".equals(System.getProperty("idefics4j.native.bf16"))
                && !"false".equals(System.getProperty("idefics4j.native.avx512")), "bf16 dot products switched off");
        assertTrue(Bf16Dot.available(), "bf16 dot-product kernel missing: " + Bf16Dot.unavailableReason());
    }

    @Test
    void equalsTheSumOfBf16RoundedProducts() {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        Random rnd = new Random(7);
        int[][] shapes = {{1, 1, 1}, {1, 33, 7}, {12, 32, 64}, {13, 31, 513}, {5, 70, 600}, {40, 65, 1030},
                {25, 100, 2}};
        for (int[] s : shapes) {
            int n = s[0], rows = s[1], depth = s[2];
            Weight w = bf16(rows, depth, rnd);
            float[] x = activations(n, depth, rnd);
            float[] out = new float[n * rows];
            java.util.Arrays.fill(out, Float.NaN);
            Bf16Dot.multiply(x, n, w, out);
            float[] wf = w.toFloats();
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    double sum = 0;
                    double scale = 0;
                    for (int k = 0; k < depth; k++) {
                        double p = (double) BFloat16.toFloat(BFloat16.fromFloat(x[t * depth + k])) * wf[r * depth + k];
                        sum += p;
                        scale += Math.abs(p);
                    }
                    float got = out[t * rows + r];
                    String where = n + "x" + depth + " by " + rows + ": [" + t + "][" + r + "]";
                    assertEquals(sum, got, 1e-6 * scale + 1e-30, where);
                }
            }
        }
    }

    @Test
    void agreesWithTheFloatPathAtBf16Precision() {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        Random rnd = new Random(11);
        int n = 30, rows = 96, depth = 256;
        Weight w = bf16(rows, depth, rnd);
        float[] x = activations(n, depth, rnd);
        float[] exact = new float[n * rows];
        float[] fast = new float[n * rows];
        Kernels.matmul(x, n, w, exact);
        Bf16Dot.multiply(x, n, w, fast);
        double diff = 0, norm = 0;
        for (int i = 0; i < exact.length; i++) {
            diff += (exact[i] - fast[i]) * (double) (exact[i] - fast[i]);
            norm += exact[i] * (double) exact[i];
        }
        double relative = Math.sqrt(diff / norm);
        // bf16 keeps 8 significant bits: each activation moves by up to 2^-9 of itself, the sums by less.
        assertTrue(relative > 1e-5 && relative < 4e-3, "relative error " + relative);
    }

    @Test
    void weightsPackedOnceGiveTheSameProducts() {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        Random rnd = new Random(5);
        int[][] shapes = {{9, 1, 1}, {13, 33, 7}, {30, 70, 600}, {17, 96, 1030}};
        for (int[] s : shapes) {
            int n = s[0], rows = s[1], depth = s[2];
            Weight w = bf16(rows, depth, rnd);
            float[] x = activations(n, depth, rnd);
            float[] direct = new float[n * rows];
            float[] packed = new float[n * rows];
            Bf16Dot.multiply(x, n, w, direct);
            Bf16Dot.multiply(x, n, w, Bf16Dot.pack(w), packed);
            assertArrayEquals(direct, packed, n + "x" + depth + " by " + rows);
        }
        Weight vision = new Weight("model.vision_model.encoder.layers.0.mlp.fc1.weight", DType.BF16, 40, 64,
                bf16(40, 64, rnd).data());
        Bf16DotWeight packedFormat = Bf16DotWeight.of(vision);
        assertTrue(packedFormat.packed() != null && !packedFormat.readsFrom(vision.data()),
                "vision weights are packed once and the stored pages may go");
        assertTrue(Bf16DotWeight.of(bf16(40, 64, rnd)).packed() == null, "decoder weights are read where they lie");
        float[] x = activations(12, 64, rnd);
        float[] a = new float[12 * 40];
        float[] b = new float[12 * 40];
        packedFormat.matmul(x, 12, a);
        Bf16Dot.multiply(x, 12, vision, b);
        assertArrayEquals(b, a);
    }

    @Test
    void quantizedWeightsMultiplyAsTheirBf16RoundedDequantization() {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        Random rnd = new Random(9);
        for (String format : new String[]{"nf4", "int8"}) {
            Weight w = bf16(70, 256, rnd);
            MatrixWeight q = dev.idefics4j.tensor.quant.Quantization.parse(format).quantize(w);
            MatrixWeight fast = Bf16DotWeight.wrap(q);
            float[] dq = new float[70 * 256];
            for (int r = 0; r < 70; r++) {
                q.rowDecoder().decode(r, 0, 256, dq, r * 256);
            }
            MemorySegment rounded = Arena.ofAuto().allocate(70 * 256 * 2L, 64);
            for (int i = 0; i < dq.length; i++) {
                rounded.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, BFloat16.fromFloat(dq[i]));
            }
            Weight reference = new Weight("dq", DType.BF16, 70, 256, rounded);
            for (int n : new int[]{3, 13, 40}) {
                float[] x = activations(n, 256, rnd);
                float[] got = new float[n * 70];
                float[] want = new float[n * 70];
                fast.matmul(x, n, got);
                if (n <= Kernels.GEMV_MAX_ROWS) {
                    q.matmul(x, n, want);
                } else {
                    Bf16Dot.multiply(x, n, reference, want);
                }
                assertArrayEquals(want, got, format + ", n = " + n);
            }
        }
    }

    @Test
    void theWeightFormatDecodesWithBf16ActivationsTheSameAloneOrBatched() {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        Random rnd = new Random(3);
        int rows = 41;
        for (int depth : new int[]{300, 64, 4096, 33}) {
            Weight w = bf16(rows, depth, rnd);
            MatrixWeight fast = WeightFormats.named(Bf16DotWeight.FORMAT).apply(w);
            assertTrue(fast.readsFrom(w.data()), "a bf16 weight is used where it lies");
            float[] wf = w.toFloats();
            for (int n : new int[]{2, 8, 13, Bf16DotWeight.DECODE_MAX_ROWS}) {
                float[] batch = activations(n, depth, rnd);
                float[] batched = new float[n * rows];
                fast.matmul(batch, n, batched);
                for (int t = 0; t < n; t++) {
                    float[] one = new float[rows];
                    fast.matmul(java.util.Arrays.copyOfRange(batch, t * depth, (t + 1) * depth), 1, one);
                    for (int r = 0; r < rows; r++) {
                        String where = "depth " + depth + ", " + n + " tokens, token " + t + " row " + r;
                        assertEquals(one[r], batched[t * rows + r], where + ": alone == batched");
                        double sum = 0;
                        double scale = 0;
                        for (int k = 0; k < depth; k++) {
                            double p = (double) BFloat16.toFloat(BFloat16.fromFloat(batch[t * depth + k]))
                                    * wf[r * depth + k];
                            sum += p;
                            scale += Math.abs(p);
                        }
                        assertEquals(sum, batched[t * rows + r], 1e-6 * scale + 1e-30, where);
                    }
                }
            }
            int n = Bf16DotWeight.DECODE_MAX_ROWS + 1;
            float[] x = activations(n, depth, rnd);
            float[] got = new float[n * rows];
            float[] tiled = new float[n * rows];
            fast.matmul(x, n, got);
            Bf16Dot.multiply(x, n, w, tiled);
            assertArrayEquals(tiled, got, "more than " + Bf16DotWeight.DECODE_MAX_ROWS + " rows: the tiled product");
        }
    }

    @Test
    void refusesOtherDtypesAndShortArrays() {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        Random rnd = new Random(1);
        Weight w = bf16(4, 8, rnd);
        Weight f32 = WeightFormats.as(w, DType.F32);
        assertThrows(IllegalArgumentException.class, () -> Bf16Dot.multiply(new float[16], 2, f32, new float[8]));
        assertThrows(IllegalArgumentException.class, () -> Bf16Dot.multiply(new float[15], 2, w, new float[8]));
    }
}
