package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.Weight;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantize → dequantize of 4-bit blockwise weights, by hand and against a direct transcription of bitsandbytes' CUDA
 * kernel (kQuantizeBlockwise with the trees of {@link FourBitCodeTest}).
 */
class FourBitQuantizationTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static Weight f32(String name, int rows, int cols, float[] values) {
        MemorySegment s = Arena.ofAuto().allocate(4L * values.length);
        MemorySegment.copy(values, 0, s, F32, 0, values.length);
        return new Weight(name, DType.F32, rows, cols, s);
    }

    static float[] gaussian(int n, double std, long seed) {
        return gaussian(new SplittableRandom(seed), n, std);
    }

    static float[] gaussian(SplittableRandom rnd, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller; SplittableRandom has no nextGaussian on every JDK we build with.
            double u = 1 - rnd.nextDouble();
            v[i] = (float) (std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble()));
        }
        return v;
    }

    private static int[] bytes(FourBitWeight w) {
        MemorySegment p = w.packed();
        int[] out = new int[(int) p.byteSize()];
        for (int i = 0; i < out.length; i++) {
            out[i] = p.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
        }
        return out;
    }

    /** The 4-bit codes, one per element and the padding of an odd count (element 2j in the high nibble of byte j). */
    private static int[] codes(FourBitWeight w) {
        int[] b = bytes(w);
        int n = 2 * b.length;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (i % 2 == 0 ? b[i / 2] >> 4 : b[i / 2]) & 0xF;
        }
        return out;
    }

    @Test
    void handComputedFp4Block() {
        // One block: absmax 1.2, scaled [1, -0.5, 0.25, 0] → FP4 codes [3, 13 (= 8|5), 7, 0].
        Weight w = f32("w", 1, 4, new float[]{1.2f, -0.6f, 0.3f, 0f});
        FourBitWeight q = FourBitQuantizer.quantize(w, FourBitCode.FP4, 64, false);
        // Element 2j in the high nibble (bitsandbytes: packed = q[::2] << 4 | q[1::2]).
        assertArrayEquals(new int[]{0x3D, 0x70}, bytes(q));
        float[] scale = new float[1];
        q.scales().decode(0, 1, scale);
        assertEquals(1.2f, scale[0]);
        assertArrayEquals(new float[]{1f * 1.2f, -0.5f * 1.2f, 0.25f * 1.2f, 0f}, q.dequantize());
    }

    @Test
    void handComputedNf4Block() {
        // scaled [1, -0.5, 0.25, 0] → NF4 codes [15, 2 (-0.5251 is nearer than -0.3949), 10 (0.2461), 7 (0)].
        Weight w = f32("w", 2, 2, new float[]{1.2f, -0.6f, 0.3f, 0f});
        FourBitWeight q = FourBitQuantizer.quantize(w, FourBitCode.NF4, 64, false);
        assertArrayEquals(new int[]{0xF2, 0xA7}, bytes(q));
        assertArrayEquals(new float[]{1.2f, -0.5250730514526367f * 1.2f, 0.24611230194568634f * 1.2f, 0f},
                q.dequantize());
    }

    @Test
    void oddElementCountPadsWithTheZeroCode() {
        Weight w = f32("w", 1, 3, new float[]{-1f, 0.5f, 1f});
        FourBitWeight fp4 = FourBitQuantizer.quantize(w, FourBitCode.FP4, 64, false);
        assertArrayEquals(new int[]{0xB5, 0x30}, bytes(fp4));
        FourBitWeight nf4 = FourBitQuantizer.quantize(w, FourBitCode.NF4, 64, false);
        assertArrayEquals(new int[]{0x0C, 0xF7}, bytes(nf4)); // 0.5 is nearer 0.4407 (12) than 0.5626
    }

    @Test
    void allZeroBlockDequantizesToZero() {
        float[] v = new float[128];
        v[100] = 0.5f;
        for (FourBitCode code : FourBitCode.values()) {
            FourBitWeight q = FourBitQuantizer.quantize(f32("w", 2, 64, v), code, 64, false);
            // absmax 0: 0 times its infinite reciprocal is NaN, which the CUDA tree sends to code 0 (NF4's -1).
            int[] c = codes(q);
            for (int i = 0; i < 64; i++) {
                assertEquals(0, c[i], code + " code " + i);
            }
            assertEquals(code == FourBitCode.FP4 ? 0 : 7, c[64], code + " zero beside a non-zero block");
            float[] d = q.dequantize();
            for (int i = 0; i < 64; i++) {
                assertEquals(0f, Math.abs(d[i]));
            }
            assertEquals(0.5f, d[100]);
        }
    }

    @Test
    void tiesInBf16WeightsGetTheCudaCodes() {
        // Weights exact in bf16. Block 1, absmax 0.5625: 5/12 (0.234375) and 7/12 (0.328125) of it, which float32
        // rounds to 0.41666666 and 0.5833333 (one float below 7/12); a small negative; both zeros. Block 2, absmax
        // 0.75: 5/12 and 7/12 again, now 0.4166667 (the FP4 threshold itself) and 0.5833334.
        float[] v = new float[128];
        float[] b1 = {0.5625f, 0.234375f, 0.328125f, -0.328125f, -0.234375f, -0.001f, 0f, -0f};
        float[] b2 = {0.75f, 0.3125f, 0.4375f, -0.4375f, -0.3125f, -0.001f, 0f, -0f};
        System.arraycopy(b1, 0, v, 0, b1.length);
        System.arraycopy(b2, 0, v, 64, b2.length);
        // By hand from the trees: FP4 sends 5/12 down to 4/12 (4) and 7/12 up to 8/12 (2); -0.001 keeps its sign (8).
        int[] fp4 = {3, 4, 2, 10, 12, 8, 0, 0};
        int[] nf4 = {15, 12, 13, 2, 3, 7, 7, 7};
        for (FourBitCode code : FourBitCode.values()) {
            int[] c = codes(FourBitQuantizer.quantize(f32("w", 2, 64, v), code, 64, false));
            int[] expected = code == FourBitCode.FP4 ? fp4 : nf4;
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(c, 0, 8), code + " block 1");
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(c, 64, 72), code + " block 2");
            assertArrayEquals(cudaCodes(v, code, 64), c, code.toString());
        }
    }

    @Test
    void subnormalsAreFlushedToZeroAsTheFastMathKernelDoes() {
        // Block 1: a subnormal product (-1e-30 / 1e10) is zero, so FP4 writes 0, not the sign bit; subnormal weights
        // are zero. Block 2 holds subnormals only: its absmax is 0 and its codes are those of NaN.
        float[] v = new float[128];
        float[] b1 = {1e10f, -1e-30f, 1e-39f, -1e-39f, 5e9f, -5e9f};
        System.arraycopy(b1, 0, v, 0, b1.length);
        v[64] = 1e-39f;
        v[65] = -2e-39f;
        FourBitWeight q = FourBitQuantizer.quantize(f32("w", 2, 64, v), FourBitCode.FP4, 64, false);
        int[] c = codes(q);
        assertArrayEquals(new int[]{3, 0, 0, 0, 5, 13}, java.util.Arrays.copyOfRange(c, 0, 6));
        assertEquals(0, c[64]);
        assertEquals(0, c[65]);
        float[] scales = new float[2];
        q.scales().decode(0, 2, scales);
        assertArrayEquals(new float[]{1e10f, 0f}, scales);
        for (FourBitCode code : FourBitCode.values()) {
            assertArrayEquals(cudaCodes(v, code, 64),
                    codes(FourBitQuantizer.quantize(f32("w", 2, 64, v), code, 64, false)), code.toString());
        }
    }

    /** The device's flush of subnormals to zero (bitsandbytes compiles with --use_fast_math). */
    private static float ftz(float v) {
        return Math.abs(v) < Float.MIN_NORMAL ? 0f : v;
    }

    /**
     * kQuantizeBlockwise written out plainly, for any shape and block size: per block absmax, its reciprocal, the
     * tree of each product; an odd count is padded with a 0 weight in the last block.
     */
    static int[] cudaCodes(float[] w, FourBitCode code, int blocksize) {
        int[] out = new int[w.length + (w.length & 1)];
        for (int start = 0; start < w.length; start += blocksize) {
            int end = Math.min(w.length, start + blocksize);
            float absmax = 0;
            for (int i = start; i < end; i++) {
                absmax = Math.max(absmax, Math.abs(ftz(w[i])));
            }
            float inv = 1f / absmax;
            for (int i = start; i < Math.min(out.length, start + blocksize); i++) {
                float x = i < w.length ? ftz(ftz(w[i]) * inv) : ftz(0f * inv);
                out[i] = FourBitCodeTest.cuda(code, x);
            }
        }
        return out;
    }

    /** bitsandbytes' quantize_4bit + dequantize_4bit on a GPU: {@link #cudaCodes} looked up and scaled. */
    static float[] reference(float[] w, FourBitCode code, int blocksize) {
        int[] c = cudaCodes(w, code, blocksize);
        float[] table = code.table();
        float[] out = new float[w.length];
        for (int start = 0; start < w.length; start += blocksize) {
            int end = Math.min(w.length, start + blocksize);
            float absmax = 0;
            for (int i = start; i < end; i++) {
                absmax = Math.max(absmax, Math.abs(ftz(w[i])));
            }
            for (int i = start; i < end; i++) {
                out[i] = table[c[i]] * absmax;
            }
        }
        return out;
    }

    @Test
    void blocksRunAlongTheFlattenedWeightAcrossRows() {
        // 3 x 50: blocks of 64 straddle rows, the last one partial (22 values).
        for (FourBitCode code : FourBitCode.values()) {
            float[] v = gaussian(150, 0.05, 3);
            FourBitWeight q = FourBitQuantizer.quantize(f32("w", 3, 50, v), code, 64, false);
            assertEquals(3, q.scales().blocks());
            assertArrayEquals(reference(v, code, 64), q.dequantize(), code.toString());
        }
    }

    @Test
    void handBuiltBlocksHitEveryThresholdAndTieAsTheCudaTree() {
        // Blocks whose absmax is 1 (so w * (1 / absmax) is w itself) or 1/2 (an exact doubling), holding every
        // threshold and its two neighbouring floats, every float midpoint of two table values, tiny negatives and
        // both zeros, with both signs: in vector lanes and in the scalar tail, odd count included.
        for (FourBitCode code : FourBitCode.values()) {
            List<Float> scaled = new ArrayList<>();
            for (float t : FourBitCodeTest.thresholds(code)) {
                scaled.addAll(List.of(t, Math.nextDown(t), Math.nextUp(t)));
            }
            for (float a : code.table()) {
                for (float b : code.table()) {
                    scaled.add((a + b) / 2);
                }
            }
            scaled.addAll(List.of(0f, 1e-3f, 1e-6f, 0.0026f, 5f / 12, 7f / 12, 0.5833333f));
            List<Float> values = new ArrayList<>();
            for (float x : scaled) {
                for (float signed : new float[]{x, -x}) {
                    if (values.size() % 64 == 0) {
                        values.add(1f);
                    }
                    values.add(signed);
                }
            }
            values.add(0.25f);
            if (values.size() % 2 == 0) {
                values.add(-0.25f);
            }
            float[] v = new float[values.size()];
            float[] half = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(i);
                half[i] = v[i] / 2;
            }
            FourBitWeight q = FourBitQuantizer.quantize(f32("w", 1, v.length, v), code, 64, false);
            assertArrayEquals(cudaCodes(v, code, 64), codes(q), code.toString());
            assertArrayEquals(reference(v, code, 64), q.dequantize(), code + " values");
            assertArrayEquals(cudaCodes(half, code, 64),
                    codes(FourBitQuantizer.quantize(f32("w", 1, v.length, half), code, 64, false)), code + " / 2");
        }
    }

    @Test
    void roundTripErrorIsWithinHalfTheWidestGapTimesAbsmax() {
        // FP4's widest gap is 2/3..1, NF4's -1..-0.6962: the error of a value is at most half of it times the absmax.
        int rows = 48;
        int cols = 320;
        float[] v = gaussian(rows * cols, 0.02, 11);
        for (FourBitCode code : FourBitCode.values()) {
            float halfGap = code == FourBitCode.FP4 ? (1f - 0.6666667f) / 2 : (1f - 0.6961928f) / 2;
            FourBitWeight q = FourBitQuantizer.quantize(f32("w", rows, cols, v), code, 64, false);
            float[] d = q.dequantize();
            double sq = 0;
            double ref = 0;
            for (int b = 0; b < v.length / 64; b++) {
                float absmax = 0;
                for (int i = b * 64; i < (b + 1) * 64; i++) {
                    absmax = Math.max(absmax, Math.abs(v[i]));
                }
                for (int i = b * 64; i < (b + 1) * 64; i++) {
                    assertTrue(Math.abs(d[i] - v[i]) <= halfGap * absmax * 1.0001f, code + " at " + i);
                    sq += (d[i] - v[i]) * (d[i] - v[i]);
                    ref += v[i] * v[i];
                }
            }
            // Gaussian weights: NF4 (built for them) keeps a relative RMS error near 10%, FP4 a little worse.
            double relRms = Math.sqrt(sq / ref);
            assertTrue(relRms < (code == FourBitCode.NF4 ? 0.11 : 0.14), code + " relative RMS error " + relRms);
        }
    }

    @Test
    void doubleQuantizedScalesStayCloseToTheAbsmax() {
        int rows = 64;
        int cols = 1024;
        float[] v = gaussian(rows * cols, 0.02, 5);
        FourBitWeight plain = FourBitQuantizer.quantize(f32("w", rows, cols, v), FourBitCode.NF4, 64, false);
        FourBitWeight nested = FourBitQuantizer.quantize(f32("w", rows, cols, v), FourBitCode.NF4, 64, true);
        assertTrue(nested.doubleQuantized());
        int blocks = (int) plain.scales().blocks();
        float[] exact = new float[blocks];
        float[] approx = new float[blocks];
        plain.scales().decode(0, blocks, exact);
        nested.scales().decode(0, blocks, approx);
        NestedAbsmaxScales n = (NestedAbsmaxScales) nested.scales();
        double mean = 0;
        for (float e : exact) {
            mean += e;
        }
        assertEquals((float) (mean / blocks), n.offset());
        for (int b = 0; b < blocks; b++) {
            // 8-bit dynamic code of (absmax - offset) / nestedAbsmax: its steps near +-1 are 1/64 wide.
            float nestedMax = n.nestedAbsmax().getAtIndex(OffHeap.FLOAT_LE, b / 256);
            assertTrue(Math.abs(approx[b] - exact[b]) <= nestedMax / 128 * 1.001f, "block " + b);
        }
        // Packed codes are the same; only the scales differ.
        assertArrayEquals(bytes(plain), bytes(nested));
        // One byte per block instead of four, one float per 256 blocks, the shared dynamic map not counted.
        assertEquals(plain.byteSize() - 4L * blocks + blocks + 4L * ((blocks + 255) / 256), nested.byteSize());
    }
}
