package dev.idefics4j.tensor.quant;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 4-bit tables and the nearest-code rule against bitsandbytes' definitions. */
class FourBitCodeTest {
    @Test
    void fp4TableIsBitsandbytesListDividedByTwelve() {
        // get_4bit_type("fp4"): [0, 0.0625, 8, 12, 4, 6, 2, 3, -0, -0.0625, -8, -12, -4, -6, -2, -3] / 12 in float32.
        float[] expected = {0f, 0.0052083335f, 0.6666667f, 1f, 0.33333334f, 0.5f, 0.16666667f, 0.25f,
                -0f, -0.0052083335f, -0.6666667f, -1f, -0.33333334f, -0.5f, -0.16666667f, -0.25f};
        assertArrayEquals(expected, FourBitCode.FP4.table());
        // Bit 3 is the sign: code c and c | 8 are negatives of each other.
        for (int c = 0; c < 8; c++) {
            assertEquals(-FourBitCode.FP4.table()[c], FourBitCode.FP4.table()[c | 8]);
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
    void nearestIsArgminWithFirstIndexOnTies() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (FourBitCode code : FourBitCode.values()) {
            float[] t = code.table();
            for (int i = 0; i < 200_000; i++) {
                float v = (float) (rnd.nextDouble() * 2 - 1);
                assertEquals(argmin(t, v), code.nearest(v), code + " at " + v);
            }
            // Exact midpoints (ties in float32), the table values themselves, and the ends.
            for (float a : t) {
                for (float b : t) {
                    float mid = (a + b) / 2;
                    assertEquals(argmin(t, mid), code.nearest(mid), code + " at midpoint " + mid);
                }
                assertEquals(argmin(t, a), code.nearest(a), code + " at " + a);
            }
        }
        // FP4 holds +0 (code 0) and -0 (code 8); argmin takes the first.
        assertEquals(0, FourBitCode.FP4.nearest(0f));
        assertEquals(0, FourBitCode.FP4.nearest(-0f));
        assertEquals(0, FourBitCode.FP4.nearest(-1e-4f));
        assertEquals(7, FourBitCode.NF4.nearest(0f));
    }

    /** torch.argmin(|v - table|): the first index of the minimum. */
    static int argmin(float[] table, float v) {
        int best = 0;
        for (int i = 1; i < table.length; i++) {
            if (Math.abs(v - table[i]) < Math.abs(v - table[best])) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void dynamicMapMatchesCreateDynamicMap() {
        float[] m = DynamicMap.values();
        assertEquals(256, m.length);
        for (int i = 1; i < 256; i++) {
            assertTrue(m[i] > m[i - 1], "ascending at " + i);
        }
        // Largest magnitude of the exponent-0 group: the last midpoint of linspace(0.1, 1, 65) = 1 - 0.9/128.
        assertEquals(-0.99296875f, m[0]);
        assertEquals(0f, m[127]);
        assertEquals(1f, m[255]);
        // Exponent step 0: one midpoint of linspace(0.1, 1, 2), 0.55, times 1e-6.
        assertEquals(0.55e-6f, m[128], 1e-12f);
        assertEquals(-0.55e-6f, m[126], 1e-12f);
        assertEquals(127, DynamicMap.nearest(m, 0f));
        assertEquals(255, DynamicMap.nearest(m, 1f));
        assertEquals(0, DynamicMap.nearest(m, -1f));
    }
}
