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

/** Quantize → dequantize of 4-bit blockwise weights, by hand and against a direct transcription of bitsandbytes. */
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
        FourBitWeight q = FourBitQuantizer.quantize(f32("w", 2, 64, v), FourBitCode.NF4, 64, false);
        float[] d = q.dequantize();
        for (int i = 0; i < 64; i++) {
            assertEquals(0f, Math.abs(d[i]));
        }
        assertEquals(0.5f, d[100]);
    }

    /** bitsandbytes' quantize_4bit + dequantize_4bit, written out plainly, for any shape and block size. */
    static float[] reference(float[] w, FourBitCode code, int blocksize) {
        float[] table = code.table();
        float[] out = new float[w.length];
        for (int start = 0; start < w.length; start += blocksize) {
            int end = Math.min(w.length, start + blocksize);
            float absmax = 0;
            for (int i = start; i < end; i++) {
                absmax = Math.max(absmax, Math.abs(w[i]));
            }
            float inv = 1f / absmax;
            for (int i = start; i < end; i++) {
                int c = absmax == 0 ? code.nearest(0f)
                        : FourBitCodeTest.argmin(table, Math.clamp(w[i] * inv, -1f, 1f));
                out[i] = table[c] * absmax;
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
    void tiesAndTableValuesQuantizeAsArgmin() {
        // Blocks whose absmax is 1, so scaled values are exact: every table value and every float midpoint of two
        // table values (a tie), in both vector lanes and the scalar tail.
        for (FourBitCode code : FourBitCode.values()) {
            float[] t = code.table();
            List<Float> values = new ArrayList<>();
            for (float a : t) {
                for (float b : t) {
                    if ((values.size() + 1) % 64 == 1) {
                        values.add(1f);
                    }
                    values.add((a + b) / 2);
                }
            }
            float[] v = new float[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(i);
            }
            FourBitWeight q = FourBitQuantizer.quantize(f32("w", 1, v.length, v), code, 64, false);
            assertArrayEquals(reference(v, code, 64), q.dequantize(), code.toString());
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
