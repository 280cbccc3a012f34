package dev.idefics4j.tensor.quant;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 4-bit tables, and the codes they are given by bitsandbytes' CUDA decision trees. */
class FourBitCodeTest {
    /** The thresholds of dQuantizeFP4 (csrc/kernels.cu), as the float literals it compares |x| against. */
    private static final float[] FP4_THRESHOLDS =
            {0.00260417f, 0.0859375f, 0.20833333f, 0.29166667f, 0.4166667f, 0.583333f, 0.8333333f};
    /** The thresholds of dQuantizeNF4. */
    private static final float[] NF4_THRESHOLDS = {
            -0.8480964004993439f, -0.6106329262256622f, -0.4599952697753906f, -0.33967943489551544f,
            -0.23460740596055984f, -0.13791173323988914f, -0.045525018125772476f, 0.03979014977812767f,
            0.1202552504837513f, 0.2035212516784668f, 0.2920137718319893f, 0.3893125355243683f,
            0.5016634166240692f, 0.6427869200706482f, 0.8614784181118011f};

    /** dQuantizeFP4 written out as the nested comparisons it is: sign bit for x < 0, then a tree on |x|. */
    static int cudaFp4(float x) {
        int sign = x < 0 ? 0b1000 : 0;
        float a = Math.abs(x);
        if (a > 0.29166667f) {
            if (a > 0.583333f) {
                return (a > 0.8333333f ? 0b0011 : 0b0010) + sign;
            }
            return (a > 0.4166667f ? 0b0101 : 0b0100) + sign;
        }
        if (a > 0.0859375f) {
            return (a > 0.20833333f ? 0b0111 : 0b0110) + sign;
        }
        return (a > 0.00260417f ? 0b0001 : 0b0000) + sign;
    }

    /** dQuantizeNF4 written out as its four levels of comparisons on the signed value. */
    static int cudaNf4(float x) {
        if (x > 0.03979014977812767f) {
            if (x > 0.3893125355243683f) {
                if (x > 0.6427869200706482f) {
                    return x > 0.8614784181118011f ? 0b1111 : 0b1110;
                }
                return x > 0.5016634166240692f ? 0b1101 : 0b1100;
            }
            if (x > 0.2035212516784668f) {
                return x > 0.2920137718319893f ? 0b1011 : 0b1010;
            }
            return x > 0.1202552504837513f ? 0b1001 : 0b1000;
        }
        if (x > -0.33967943489551544f) {
            if (x > -0.13791173323988914f) {
                return x > -0.045525018125772476f ? 0b0111 : 0b0110;
            }
            return x > -0.23460740596055984f ? 0b0101 : 0b0100;
        }
        if (x > -0.6106329262256622f) {
            return x > -0.4599952697753906f ? 0b0011 : 0b0010;
        }
        return x > -0.8480964004993439f ? 0b0001 : 0b0000;
    }

    /** The CUDA tree of {@code code}. */
    static int cuda(FourBitCode code, float x) {
        return code == FourBitCode.FP4 ? cudaFp4(x) : cudaNf4(x);
    }

    static float[] thresholds(FourBitCode code) {
        return code == FourBitCode.FP4 ? FP4_THRESHOLDS : NF4_THRESHOLDS;
    }

    @Test
    void fp4TableIsBitsandbytesListDividedByTwelve() {
        // get_4bit_type("fp4"): [0, 0.0625, 8, 12, 4, 6, 2, 3, -0, -0.0625, -8, -12, -4, -6, -2, -3] / 12 in float32,
        // where -0 is Python's integer 0: code 8 holds +0.0 (assertArrayEquals tells the two zeros apart).
        float[] expected = {0f, 0.0052083335f, 0.6666667f, 1f, 0.33333334f, 0.5f, 0.16666667f, 0.25f,
                0f, -0.0052083335f, -0.6666667f, -1f, -0.33333334f, -0.5f, -0.16666667f, -0.25f};
        float[] table = FourBitCode.FP4.table();
        assertArrayEquals(expected, table);
        assertEquals(0, Float.floatToRawIntBits(table[8]), "code 8 is +0.0");
        // Bit 3 is the sign: code c and c | 8 are negatives of each other.
        for (int c = 1; c < 8; c++) {
            assertEquals(-table[c], table[c | 8]);
        }
    }

    @Test
    void nf4TableIsTheQloraConstants() {
        float[] t = FourBitCode.NF4.table();
        assertEquals(-1f, t[0]);
        assertEquals(-0.6961928009986877f, t[1]);
        assertEquals(0f, t[7]);
        assertEquals(0.07958029955625534f, t[8]);
        assertEquals(0.7229568362236023f, t[14]);
        assertEquals(1f, t[15]);
        for (int i = 1; i < 16; i++) {
            assertTrue(t[i] > t[i - 1], "ascending at " + i);
        }
    }

    @Test
    void everyThresholdFromBothSides() {
        for (FourBitCode code : FourBitCode.values()) {
            for (float t : thresholds(code)) {
                float[] around = {t, Math.nextDown(t), Math.nextUp(t), -t, -Math.nextDown(t), -Math.nextUp(t)};
                for (float x : around) {
                    assertEquals(cuda(code, x), code.encode(x), code + " at " + x);
                }
                // Strictly greater: the threshold itself goes down, the next float up.
                assertEquals(cuda(code, Math.nextDown(t)), code.encode(t), code + " at threshold " + t);
                assertNotEquals(code.encode(t), code.encode(Math.nextUp(t)), code + " just above " + t);
            }
        }
        // By hand from the FP4 tree: 0.583333f is 6 ulps below 7/12, yet the threshold between 6/12 and 8/12.
        assertEquals(0b0101, FourBitCode.FP4.encode(0.583333f));
        assertEquals(0b0010, FourBitCode.FP4.encode(Math.nextUp(0.583333f)));
        assertEquals(0b1010, FourBitCode.FP4.encode(-Math.nextUp(0.583333f)));
        assertEquals(0b0011, FourBitCode.FP4.encode(Math.nextUp(0.8333333f)));
        assertEquals(0b0001, FourBitCode.FP4.encode(Math.nextUp(0.00260417f)));
        assertEquals(0b1111, FourBitCode.NF4.encode(Math.nextUp(0.8614784181118011f)));
        assertEquals(0b0000, FourBitCode.NF4.encode(-0.8480964004993439f));
    }

    @Test
    void tiesGoWhereTheTreeSendsThem() {
        FourBitCode fp4 = FourBitCode.FP4;
        // 5/12 and 7/12, halfway between 4/12 | 6/12 and 6/12 | 8/12, as float32 rounds them: 5/12 goes down to 4/12
        // (code 4) because 0.4166667f is the threshold itself, 7/12 up to 8/12 (code 2), also when a weight's
        // product lands one float below 7/12 (bf16 weights 0.328125 and absmax 0.5625).
        assertEquals(0b0100, fp4.encode(5f / 12f));
        assertEquals(0b0100, fp4.encode(0.4166667f));
        assertEquals(0b0010, fp4.encode(7f / 12f));
        assertEquals(0b0010, fp4.encode(0.5833333f));
        assertEquals(0b1100, fp4.encode(-5f / 12f));
        assertEquals(0b1010, fp4.encode(-7f / 12f));
        // Every float midpoint of two neighbouring values, both codes, both signs.
        for (FourBitCode code : FourBitCode.values()) {
            float[] t = code.table();
            for (float a : t) {
                for (float b : t) {
                    float mid = (a + b) / 2;
                    assertEquals(cuda(code, mid), code.encode(mid), code + " at midpoint " + mid);
                }
            }
        }
    }

    @Test
    void tinyNegativesAndZeros() {
        FourBitCode fp4 = FourBitCode.FP4;
        assertEquals(0, fp4.encode(0f));
        assertEquals(0, fp4.encode(-0f), "-0.0 is not < 0");
        // A negative value below the first threshold keeps its sign: code 8, the "-0" of FP4.
        assertEquals(0b1000, fp4.encode(-1e-3f));
        assertEquals(0b1000, fp4.encode(-0.00260417f));
        assertEquals(0b1001, fp4.encode(-Math.nextUp(0.00260417f)));
        assertEquals(0b1000, fp4.encode(-Float.MIN_VALUE));
        assertEquals(0, fp4.encode(1e-3f));
        FourBitCode nf4 = FourBitCode.NF4;
        assertEquals(7, nf4.encode(0f));
        assertEquals(7, nf4.encode(-0f));
        assertEquals(7, nf4.encode(-1e-3f));
        assertEquals(7, nf4.encode(Math.nextUp(-0.045525018125772476f)));
        assertEquals(6, nf4.encode(-0.045525018125772476f));
        // NaN (0 times the infinite reciprocal of an all-zero block) passes no comparison: the leftmost leaf.
        assertEquals(0, fp4.encode(Float.NaN));
        assertEquals(0, nf4.encode(Float.NaN));
    }

    @Test
    void encodeIsTheCudaTreeOnRandomAndNearbyValues() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (FourBitCode code : FourBitCode.values()) {
            for (int i = 0; i < 200_000; i++) {
                float x = (float) (rnd.nextDouble() * 2.2 - 1.1);
                assertEquals(cuda(code, x), code.encode(x), code + " at " + x);
            }
            for (float t : thresholds(code)) {
                float lo = t;
                float hi = t;
                for (int k = 0; k < 256; k++) {
                    lo = Math.nextDown(lo);
                    hi = Math.nextUp(hi);
                    for (float x : new float[]{lo, hi, -lo, -hi}) {
                        assertEquals(cuda(code, x), code.encode(x), code + " at " + x);
                    }
                }
            }
            for (float x : new float[]{1f, -1f, Math.nextUp(1f), -Math.nextUp(1f), Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY}) {
                assertEquals(cuda(code, x), code.encode(x), code + " at " + x);
            }
        }
    }

    /**
     * Where the tree differs from the nearest value. Around each midpoint of neighbouring table values (within 64
     * ulps; farther away both pick the same value), the floats whose code's value is farther from them than the
     * nearest table value, by float32 distances: FP4's threshold 0.00260417f lies 14 floats above the float midpoint
     * 0.0026041667, and 0.583333f 6 ulps below 7/12 (5 floats); and for both codes a float equal to a threshold that
     * lies above the exact midpoint goes down although the upper value is nearer (FP4's 5/12, four of NF4's).
     */
    @Test
    void theTreeIsTheNearestValueExceptAtTheseFloats() {
        assertArrayEquals(new int[]{14, 0, 0, 0, 1, 5, 0}, fartherCounts(FourBitCode.FP4, 0f));
        assertArrayEquals(new int[]{0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0},
                fartherCounts(FourBitCode.NF4, -1f));
    }

    /** Per pair of neighbouring table values at or above {@code from}, as described above. */
    private static int[] fartherCounts(FourBitCode code, float from) {
        float[] t = code.table();
        float[] sorted = t.clone();
        java.util.Arrays.sort(sorted);
        float[] values = new float[16];
        int n = 0;
        for (float v : sorted) {
            if (v >= from && (n == 0 || v != values[n - 1])) {
                values[n++] = v;
            }
        }
        int[] counts = new int[n - 1];
        for (int k = 0; k < n - 1; k++) {
            float x = (values[k] + values[k + 1]) / 2;
            for (int i = 0; i < 64; i++) {
                x = Math.nextDown(x);
            }
            for (int i = 0; i <= 128; i++, x = Math.nextUp(x)) {
                float nearest = Float.POSITIVE_INFINITY;
                for (float v : t) {
                    nearest = Math.min(nearest, Math.abs(x - v));
                }
                if (Math.abs(x - t[code.encode(x)]) > nearest) {
                    counts[k]++;
                }
            }
        }
        return counts;
    }
}
