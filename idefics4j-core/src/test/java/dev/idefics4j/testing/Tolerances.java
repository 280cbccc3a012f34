package dev.idefics4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Element-wise comparison of a tensor with the reference's. */
public final class Tolerances {
    private Tolerances() {
    }

    /** Fails naming {@code what}, the largest difference and where it is when any element differs by more than tol. */
    public static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tol, what + " max abs diff " + worst + " at " + at);
    }
}
