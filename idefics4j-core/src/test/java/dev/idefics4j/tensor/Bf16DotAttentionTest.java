package dev.idefics4j.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Attention in the {@code bf16-dot} arithmetic ({@link Bf16DotAttention}): heads read in place from
 * [tokens, heads·dim] layouts, over shapes that cut through the kernel's edges (partial key panels and query tiles,
 * odd key counts, head widths not a multiple of 16, padded keys, a causal mask) and SigLIP-B/16's at 512² (1,024
 * positions, 64-wide heads). Checked two ways: against its own arithmetic taken in double (q, k, v and the
 * exponentials of the softmax rounded to bf16, their sum not), and against the float32 {@link Attention} within
 * bf16's precision.
 */
class Bf16DotAttentionTest {
    /** {nq, nk, dim, heads, mask}: mask 0 none, 1 padded keys, 2 causal, 3 every key masked. */
    private static final int[][] SHAPES = {{1024, 1024, 64, 2, 0}, {5, 5, 80, 2, 0}, {50, 77, 40, 3, 1},
            {13, 13, 24, 2, 2}, {100, 257, 64, 1, 1}, {64, 33, 130, 1, 0}};
    /** Queries that see no key get the plain average of the values, as the float32 path gives them. */
    private static final int[] NO_VISIBLE_KEY = {14, 9, 16, 1, 3};

    private static float[] gaussian(int n, double sd, Random rnd) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * sd);
        }
        return a;
    }

    private static float bf16(float x) {
        return BFloat16.toFloat(BFloat16.fromFloat(x));
    }

    private record Case(int nq, int nk, int dim, int heads, float[] q, float[] k, float[] v, float scale,
                        int[] keyLimit, boolean[] keyValid) {
        int width() {
            return heads * dim;
        }

        float[] run(HeadAttention attention) {
            float[] out = new float[nq * width()];
            java.util.Arrays.fill(out, Float.NaN);
            for (int h = 0; h < heads; h++) {
                int off = h * dim;
                attention.attendHead(q, off, width(), k, off, width(), v, off, width(), nq, nk, dim, scale, keyLimit,
                        keyValid, out, off, width());
            }
            return out;
        }
    }

    private static Case make(int[] s, Random rnd) {
        int nq = s[0], nk = s[1], dim = s[2], heads = s[3];
        // Scores of about unit spread after scaling, as in a trained layer: softmax neither flat nor one-hot.
        float[] q = gaussian(nq * heads * dim, 1.5, rnd);
        float[] k = gaussian(nk * heads * dim, 1.5, rnd);
        float[] v = gaussian(nk * heads * dim, 1, rnd);
        int[] keyLimit = null;
        boolean[] keyValid = null;
        if (s[4] == 1) {
            keyValid = new boolean[nk];
            for (int j = 0; j < nk; j++) {
                keyValid[j] = j % 7 != 3;
            }
        } else if (s[4] == 3) {
            keyValid = new boolean[nk];
        } else if (s[4] == 2) {
            keyLimit = new int[nq];
            for (int i = 0; i < nq; i++) {
                keyLimit[i] = i + 1 + nk - nq;
            }
        }
        return new Case(nq, nk, dim, heads, q, k, v, (float) Math.pow(dim, -0.5), keyLimit, keyValid);
    }

    @Test
    void equalsItsArithmeticTakenInDouble() {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        Random rnd = new Random(11);
        for (int[] s : SHAPES) {
            Case c = make(s, rnd);
            float[] got = c.run(HeadAttention.BF16_DOT);
            int w = c.width();
            for (int h = 0; h < c.heads; h++) {
                for (int i = 0; i < c.nq; i++) {
                    int limit = c.keyLimit == null ? c.nk : c.keyLimit[i];
                    double[] p = new double[c.nk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < limit; j++) {
                        if (c.keyValid != null && !c.keyValid[j]) {
                            p[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int d = 0; d < c.dim; d++) {
                            dot += (double) bf16(c.q[i * w + h * c.dim + d]) * bf16(c.k[j * w + h * c.dim + d]);
                        }
                        p[j] = dot * c.scale;
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < limit; j++) {
                        p[j] = Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int d = 0; d < c.dim; d++) {
                        double out = 0;
                        double spread = 0;
                        for (int j = 0; j < limit; j++) {
                            double vj = bf16(c.v[j * w + h * c.dim + d]);
                            out += bf16((float) p[j]) * vj / sum;
                            spread += p[j] / sum * Math.abs(vj);
                        }
                        // The kernel's exponentials are float32's, so one near a bf16 rounding tie may round the
                        // other way: one bf16 unit (2^-8 relative) of each term at most.
                        String where = java.util.Arrays.toString(s) + " head " + h + " query " + i + " dim " + d;
                        assertEquals(out, got[i * w + h * c.dim + d], 0x1p-8 * spread + 1e-6, where);
                    }
                }
            }
        }
    }

    /**
     * Against the float32 attention: every output within 3e-2 of it, and each head's output at cosine 0.9999 or
     * more (bf16 keeps 8 significant bits: q, k, v and the weights each move by up to 2^-9 relative; the values
     * here are of unit spread).
     */
    @Test
    void staysWithinBf16PrecisionOfTheFloat32Attention() {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        Random rnd = new Random(5);
        java.util.List<int[]> shapes = new java.util.ArrayList<>(java.util.List.of(SHAPES));
        shapes.add(NO_VISIBLE_KEY);
        for (int[] s : shapes) {
            Case c = make(s, rnd);
            float[] exact = c.run(HeadAttention.FLOAT32);
            float[] fast = c.run(HeadAttention.BF16_DOT);
            double dot = 0, ee = 0, ff = 0, worst = 0;
            for (int i = 0; i < exact.length; i++) {
                dot += (double) exact[i] * fast[i];
                ee += (double) exact[i] * exact[i];
                ff += (double) fast[i] * fast[i];
                worst = Math.max(worst, Math.abs(exact[i] - fast[i]));
            }
            double cosine = dot / Math.sqrt(ee * ff);
            String where = java.util.Arrays.toString(s);
            assertTrue(worst <= 3e-2, where + ": largest difference " + worst);
            assertTrue(cosine >= 0.9999, where + ": cosine " + cosine);
            assertTrue(worst > 0, where + ": the bf16 products did not run");
            System.out.printf("%s: largest difference %.2e, cosine %.7f%n", where, worst, cosine);
        }
    }

    @Test
    void aLayerTakesTheArithmeticOfItsProjections() {
        Weight stored = new Weight("w", DType.BF16, 1, 2, MemorySegment.ofArray(new short[2]));
        assertSame(HeadAttention.FLOAT32, HeadAttention.matching(stored));
        assertSame(HeadAttention.BF16_DOT, HeadAttention.matching(new Bf16DotWeight(stored, null)));
        assertSame(HeadAttention.BF16_DOT, HeadAttention.matching(new Bf16DotDecodedWeight(stored)));
    }
}
