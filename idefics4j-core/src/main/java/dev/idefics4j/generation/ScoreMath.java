package dev.idefics4j.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Row-wise helpers over score arrays laid out [rows * vocab]. */
final class ScoreMath {
    private ScoreMath() {
    }

    /** The first index of the largest score (torch.argmax picks the first of equal maxima). */
    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * log_softmax of one row into {@code out} in float32 the way PyTorch's CPU kernel orders it,
     * {@code (x - max) - log(sum(exp(x - max)))}, so that beam scores match the reference to the last bits that
     * matter for ties.
     */
    static void logSoftmax(float[] x, int off, int n, float[] out, int outOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) (x[off + i] - max));
        }
        float logSum = (float) Math.log(sum);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (x[off + i] - max) - logSum;
        }
    }

    /** Softmax of one row in double precision (masked -inf entries get probability 0). */
    static double[] softmax(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalStateException("every token of a row is masked out (-inf); nothing can be sampled");
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(x[off + i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Indices of one row ordered by descending score; equal scores keep index order. */
    static int[] sortDescending(float[] x, int off, int n) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            // Order-preserving int image of the float, negated for descending order; the index breaks ties.
            int bits = Float.floatToIntBits(x[off + i]);
            int ordered = bits < 0 ? ~bits : bits | Integer.MIN_VALUE;
            long descending = 0xFFFFFFFFL - (ordered & 0xFFFFFFFFL);
            keys[i] = (descending << 32 | i) ^ Long.MIN_VALUE; // unsigned order as signed order
        }
        Arrays.sort(keys);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }

    /** The {@code k} indices of the largest scores, best first; equal scores keep index order. */
    static int[] topK(float[] x, int off, int n, int k) {
        int[] best = new int[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (size == k && !(v > x[off + best[k - 1]])) {
                continue;
            }
            int pos = size == k ? k - 1 : size++;
            while (pos > 0 && v > x[off + best[pos - 1]]) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = i;
        }
        return size == k ? best : Arrays.copyOf(best, size);
    }

    /**
     * Draws an index with probability {@code p[i] / total} and removes it from further draws (sets it to 0), so
     * repeated calls sample without replacement as torch.multinomial does.
     *
     * @return the index; {@code total} must then be reduced by its former probability by the caller
     */
    static int draw(double[] p, double total, SplittableRandom random) {
        double u = random.nextDouble() * total;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] <= 0) {
                continue;
            }
            last = i;
            u -= p[i];
            if (u < 0) {
                return i;
            }
        }
        if (last < 0) {
            throw new IllegalStateException("no token with a non-zero probability is left to sample");
        }
        return last; // rounding left a sliver of u: the last candidate takes it
    }
}
