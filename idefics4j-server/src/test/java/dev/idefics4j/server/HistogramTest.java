package dev.idefics4j.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Buckets, the text exposition, and the count above a bound that the server's tests read. */
class HistogramTest {
    @Test
    void countsCumulativeBucketsAndAboveABound() {
        Histogram h = new Histogram("x_sequences", "Sequences.", 1, 2, 4, 8);
        for (int v : new int[] {1, 1, 2, 3, 8, 9}) {
            h.observe(v);
        }
        assertEquals(6, h.count());
        assertEquals(4, h.countAbove(1));
        assertEquals(3, h.countAbove(2));
        assertEquals(1, h.countAbove(8));
        StringBuilder out = new StringBuilder();
        h.render(out);
        assertEquals("""
                # HELP x_sequences Sequences.
                # TYPE x_sequences histogram
                x_sequences_bucket{le="1.0"} 2
                x_sequences_bucket{le="2.0"} 3
                x_sequences_bucket{le="4.0"} 4
                x_sequences_bucket{le="8.0"} 5
                x_sequences_bucket{le="+Inf"} 6
                x_sequences_sum 24.0
                x_sequences_count 6
                """, out.toString());
    }

    /** Bounds and sums as Prometheus' clients write them, never in Java's exponent form. */
    @Test
    void numbersInPlainDecimals() {
        assertEquals("0.0005", Histogram.format(5e-4));
        assertEquals("0.0025", Histogram.format(0.0025));
        assertEquals("2.5", Histogram.format(2.5));
        assertEquals("60.0", Histogram.format(60));
        assertEquals("12345678.0", Histogram.format(1.2345678e7));
        assertEquals("+Inf", Histogram.format(Double.POSITIVE_INFINITY));
    }
}
