package dev.idefics4j.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Both attention paths (few queries, blocked) with causal limits and padding against a double-precision softmax. */
class AttentionTest {
    @ParameterizedTest(name = "nq={0} nk={1} dim={2} causal={3} padding={4}")
    @CsvSource({"1,1,16,false,false", "1,513,128,true,true", "3,40,80,false,true", "7,70,96,true,false",
            "8,8,16,true,true", "70,70,80,true,true", "130,150,128,true,false", "257,257,80,false,false",
            "64,321,96,false,true", "9,5,48,false,true"})
    void matchesDoubleSoftmax(int nq, int nk, int dim, boolean causal, boolean padding) {
        check(nq, nk, dim, causal, padding);
    }

    /**
     * Decoding queries of a head as wide as the register-held path takes (128 on AVX-512, the idefics models' head
     * size; 64 with 256-bit vectors), whatever this machine's vectors are, so that path is always tested.
     */
    @ParameterizedTest(name = "nq={0} nk={1} causal={2} padding={3}")
    @CsvSource({"1,1,false,false", "1,513,false,false", "1,513,true,true", "5,600,true,true", "7,33,false,true"})
    void registerHeldQueriesMatchDoubleSoftmax(int nq, int nk, boolean causal, boolean padding) {
        check(nq, nk, Attention.HELD_DIM, causal, padding);
    }

    /**
     * Decoding queries of a head half that wide (SmolVLM's 64 on AVX-512, 32 with 256-bit vectors), which the
     * four-register path takes, and a head of six vectors, whose values take a four-vector pass and two single ones.
     */
    @ParameterizedTest(name = "nq={0} nk={1} causal={2} padding={3}")
    @CsvSource({"1,1,false,false", "1,513,false,false", "1,513,true,true", "5,600,true,true", "7,33,false,true"})
    void halfHeldQueriesMatchDoubleSoftmax(int nq, int nk, boolean causal, boolean padding) {
        check(nq, nk, Attention.HALF_HELD_DIM, causal, padding);
        check(nq, nk, Attention.HALF_HELD_DIM * 3 / 2, causal, padding);
    }

    /**
     * Keys and values held as bfloat16 (a bf16 KV cache, head-major): exactly what the float32 path gives on the
     * widened values, whether the decoding query widens them in registers (a {@link Attention#HELD_DIM}- or
     * {@link Attention#HALF_HELD_DIM}-wide head: dim 0 and -1 below) or the head is widened first (many queries,
     * other widths).
     */
    @ParameterizedTest(name = "nq={0} nk={1} dim={2} causal={3} padding={4}")
    @CsvSource({"1,513,0,false,false", "1,513,0,true,true", "5,300,0,true,true", "1,40,80,false,true",
            "3,40,16,true,false", "9,70,0,true,true", "64,64,80,true,false", "1,513,-1,false,false",
            "1,513,-1,true,true", "5,300,-1,true,true", "7,1,-1,false,false", "9,70,-1,true,true"})
    void bf16KeysAndValuesGiveTheFloatPathOnTheirValues(int nq, int nk, int dimOrHeld, boolean causal,
                                                         boolean padding) {
        int dim = dimOrHeld == 0 ? Attention.HELD_DIM : dimOrHeld == -1 ? Attention.HALF_HELD_DIM : dimOrHeld;
        SplittableRandom rnd = new SplittableRandom(nq * 7L + nk + dim);
        int heads = 2;
        int width = heads * dim;
        float[] q = random(rnd, nq * width);
        short[] k = new short[heads * nk * dim];
        short[] v = new short[k.length];
        float[] kf = new float[k.length];
        float[] vf = new float[k.length];
        for (int i = 0; i < k.length; i++) {
            k[i] = BFloat16.fromFloat((float) rnd.nextDouble(-1.5, 1.5));
            v[i] = BFloat16.fromFloat((float) rnd.nextDouble(-1.5, 1.5));
            kf[i] = BFloat16.toFloat(k[i]);
            vf[i] = BFloat16.toFloat(v[i]);
        }
        int[] limits = null;
        if (causal) {
            limits = new int[nq];
            for (int i = 0; i < nq; i++) {
                limits[i] = nk - nq + i + 1;
            }
        }
        boolean[] valid = null;
        if (padding) {
            valid = new boolean[nk];
            for (int j = 0; j < nk; j++) {
                valid[j] = j % 7 != 3;
            }
        }
        float scale = (float) (1 / Math.sqrt(dim));
        int head = 1;
        int base = head * nk * dim; // head-major: head 1's positions follow head 0's
        float[] expected = new float[nq * width];
        Attention.attendHead(q, head * dim, width, kf, base, dim, vf, base, dim, nq, nk, dim, scale, limits, valid,
                expected, head * dim, width);
        float[] out = new float[nq * width];
        Attention.attendHeadBf16(q, head * dim, width, k, base, v, base, nq, nk, dim, scale, limits, valid, out,
                head * dim, width);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, out);
        assertEquals(0f, out[0], "other heads untouched");
    }

    private static void check(int nq, int nk, int dim, boolean causal, boolean padding) {
        SplittableRandom rnd = new SplittableRandom(nq * 1000L + nk + dim);
        int heads = 3;
        int width = heads * dim;
        float[] q = random(rnd, nq * width);
        float[] k = random(rnd, nk * width);
        float[] v = random(rnd, nk * width);
        int[] limits = null;
        if (causal) {
            limits = new int[nq];
            for (int i = 0; i < nq; i++) {
                limits[i] = nk - nq + i + 1 - (i == 2 ? nk : 0); // query 2 sees nothing at all
            }
        }
        boolean[] valid = null;
        if (padding) {
            valid = new boolean[nk];
            for (int j = 0; j < nk; j++) {
                valid[j] = j % 5 != 1 && j != 0;
            }
        }
        float scale = (float) (1 / Math.sqrt(dim));
        float[] out = new float[nq * width];
        int head = 1;
        Attention.attendHead(q, head * dim, width, k, head * dim, width, v, head * dim, width, nq, nk, dim, scale,
                limits, valid, out, head * dim, width);
        for (int i = 0; i < nq; i++) {
            int limit = limits == null ? nk : Math.max(0, Math.min(nk, limits[i]));
            double[] w = new double[limit];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < limit; j++) {
                double s = 0;
                for (int d = 0; d < dim; d++) {
                    s += (double) q[i * width + head * dim + d] * k[j * width + head * dim + d];
                }
                w[j] = valid == null || valid[j] ? s * scale : Double.NEGATIVE_INFINITY;
                max = Math.max(max, w[j]);
            }
            double sum = 0;
            for (int j = 0; j < limit; j++) {
                w[j] = max == Double.NEGATIVE_INFINITY ? 1 : Math.exp(w[j] - max);
                sum += w[j];
            }
            for (int d = 0; d < dim; d++) {
                double o = 0;
                for (int j = 0; j < limit; j++) {
                    o += w[j] / sum * v[j * width + head * dim + d];
                }
                assertEquals(o, out[i * width + head * dim + d], 2e-6, "query " + i + " dim " + d);
            }
            assertEquals(0f, out[i * width], "other heads untouched");
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextDouble(-1.5, 1.5);
        }
        return a;
    }
}
