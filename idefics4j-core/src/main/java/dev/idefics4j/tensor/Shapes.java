package dev.idefics4j.tensor;

import java.util.Arrays;

/** Small helpers for shapes given as {@code long[]}. */
public final class Shapes {
    private Shapes() {
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
