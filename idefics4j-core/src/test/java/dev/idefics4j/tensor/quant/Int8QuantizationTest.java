package dev.idefics4j.tensor.quant;

import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LLM.int8 row-wise quantization: {@code round(127 * w / absmax)} per row, absmax kept as SCB. */
class Int8QuantizationTest {
    private static byte[] values(Int8Weight w) {
        return w.values().toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void handComputedRows() {
        float[] v = {
                0.5f, -1f, 0.25f, 0.1f,
                127f, 2.5f, -3.5f, 0f,
                0f, 0f, 0f, 0f};
        Int8Weight q = Int8Weight.quantize(FourBitQuantizationTest.f32("w", 3, 4, v));
        // Row 0: absmax 1 → 63.5 rounds half to even (torch.round) to 64; 0.1 is 0.09998 in float16 → 12.70 → 13.
        // Row 1: absmax 127 → 2.5 → 2 and -3.5 → -4 (half to even).
        // Row 2: all zero → zeros, not NaN.
        assertArrayEquals(new byte[]{64, -127, 32, 13, 127, 2, -4, 0, 0, 0, 0, 0}, values(q));
        assertArrayEquals(new float[]{1f, 127f, 0f}, OffHeap.toFloats(q.scb()));
        assertEquals(64 / 127f, q.dequantize()[0], 1e-7);
    }

    @Test
    void roundTripErrorIsAtMostHalfAStep() {
        int rows = 33;
        int cols = 200;
        float[] v = FourBitQuantizationTest.gaussian(rows * cols, 0.02, 9);
        float[] d = Int8Weight.quantize(FourBitQuantizationTest.f32("w", rows, cols, v)).dequantize();
        for (int r = 0; r < rows; r++) {
            float absmax = 0;
            for (int k = 0; k < cols; k++) {
                absmax = Math.max(absmax, Math.abs(v[r * cols + k]));
            }
            for (int k = 0; k < cols; k++) {
                int i = r * cols + k;
                // Half a step (absmax / 254) plus float16 rounding of the input (2^-11 relative).
                assertTrue(Math.abs(d[i] - v[i]) <= absmax / 254 * 1.001f + Math.abs(v[i]) / 2048, "at " + i);
            }
        }
    }
}
