package dev.idefics4j.cli;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Random inputs for timing: their values do not change the work, only their shapes do. */
final class BenchInputs {
    private BenchInputs() {
    }

    /** {@code n} pixel values uniform in [-amplitude, amplitude). */
    static float[] pixels(SplittableRandom random, int n, double amplitude) {
        float[] pixels = new float[n];
        for (int i = 0; i < n; i++) {
            pixels[i] = (float) (random.nextDouble() * 2 * amplitude - amplitude);
        }
        return pixels;
    }

    /** Token ids in [first, vocab), [rows][tokens]. */
    static int[][] ids(SplittableRandom random, int rows, int tokens, int first, int vocab) {
        int[][] ids = new int[rows][tokens];
        for (int[] row : ids) {
            for (int i = 0; i < tokens; i++) {
                row[i] = first + random.nextInt(vocab - first);
            }
        }
        return ids;
    }

    /** An all-ones mask, [rows][n]. */
    static int[][] ones(int rows, int n) {
        int[][] m = new int[rows][n];
        for (int[] row : m) {
            Arrays.fill(row, 1);
        }
        return m;
    }
}
