package dev.idefics4j.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vectorised exp, erf, tanh, the two GELUs and SiLU against double-precision references over their whole useful range. */
class VectorMathTest {
    @Test
    void expWithinTwoUlps() {
        double worst = 0;
        for (float x = -87f; x <= 88f; x += 0.00137f) {
            double exact = Math.exp(x);
            worst = Math.max(worst, Math.abs(VectorMath.exp(x) - exact) / exact);
        }
        assertTrue(worst < 2e-7, "relative error " + worst);
        assertEquals(1f, VectorMath.exp(0f));
        assertEquals(0f, VectorMath.exp(-200f));
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
    }

    @Test
    void erfWithinOneTenMillionth() {
        double worst = 0;
        for (float x = -7f; x <= 7f; x += 0.000231f) {
            worst = Math.max(worst, Math.abs(VectorMath.erf(x) - Ops.erf(x)));
        }
        assertTrue(worst < 1.5e-7, "absolute error " + worst);
        assertEquals(0f, VectorMath.erf(0f));
        assertEquals(1f, VectorMath.erf(10f));
        assertEquals(-1f, VectorMath.erf(-10f));
    }

    @Test
    void tanhWithinTwoTenMillionths() {
        double worst = 0;
        for (float x = -12f; x <= 12f; x += 0.000317f) {
            worst = Math.max(worst, Math.abs(VectorMath.tanh(x) - Math.tanh(x)));
        }
        assertTrue(worst < 2e-7, "absolute error " + worst);
        assertEquals(0f, VectorMath.tanh(0f));
        assertEquals(1f, VectorMath.tanh(50f));
        assertEquals(-1f, VectorMath.tanh(-50f));
        assertEquals(1f, VectorMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, VectorMath.tanh(Float.NEGATIVE_INFINITY));
    }

    @Test
    void tanhGeluMatchesDoubleFormula() {
        int n = 10_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -12f + 24f * i / (n - 1);
        }
        float[] g = x.clone();
        Ops.geluTanh(g, n);
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double gelu = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            assertEquals(gelu, g[i], 2e-7 * Math.max(1, Math.abs(v)), "gelu_tanh(" + v + ")");
        }
    }

    @Test
    void geluAndSiluMatchDoubleFormulas() {
        int n = 10_001;
        float[] x = new float[n];
        float[] gate = new float[n];
        float[] up = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -12f + 24f * i / (n - 1);
            gate[i] = x[i];
            up[i] = 1f + i % 3;
        }
        float[] g = x.clone();
        Ops.gelu(g, n);
        Ops.siluMul(gate, up, n);
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double gelu = 0.5 * v * (1 + Ops.erf(v / Math.sqrt(2)));
            double silu = v / (1 + Math.exp(-v)) * up[i];
            assertEquals(gelu, g[i], 2e-7 * Math.max(1, Math.abs(v)), "gelu(" + v + ")");
            assertEquals(silu, gate[i], 3e-7 * Math.max(1, Math.abs(silu)), "silu(" + v + ")");
        }
    }
}
