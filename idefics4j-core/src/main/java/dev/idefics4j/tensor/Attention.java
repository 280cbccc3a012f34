package dev.idefics4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Scaled dot-product attention for one head: {@code softmax(q·kᵀ·scale + mask)·v}. Rows of q, k, v and out are
 * addressed as {@code base + row * stride}, so heads can be read in place from [tokens, heads·dim] layouts.
 * Masked keys are skipped, which equals adding the most negative float as the reference does whenever a query
 * has at least one visible key; a query with none gets the plain average of the values it could see
 * ({@code keyLimit}), the reference's result for fully masked (padding) rows being implementation-defined anyway.
 * <p>
 * Many queries (prefill, images, the resampler) go through {@link Gemm} twice per block of queries, scores then
 * values, a causal block only as far as its last query sees; a few (decoding) take dot products and a weighted
 * sum of value rows. Either way the caller parallelises over heads; this runs on the calling thread.
 */
public final class Attention {
    private static final VectorSpecies<Float> F = Kernels.F;
    private static final int L = Kernels.L;
    /** From this many queries on, scores and outputs are matrix products. */
    private static final int BLOCKED_MIN_QUERIES = 8;
    /** Queries per block: bounds the score buffer and, under a causal mask, the keys computed past the diagonal. */
    private static final int QUERY_BLOCK = 64;
    /** A head this wide (eight vectors) keeps a decoding query in registers ({@link #heldQueryScores}). */
    private static final int HELD_VECTORS = 8;
    static final int HELD_DIM = HELD_VECTORS * L;
    /** A head half as wide (SmolVLM's 64 on AVX-512) keeps a decoding query in four registers. */
    static final int HALF_HELD_DIM = HELD_DIM / 2;
    private static final VectorShuffle<Float>[] TREE_SWAPS = treeSwaps();
    /** bfloat16 bits of one float vector's lanes, and the ints they widen to. */
    private static final VectorSpecies<Short> HALF =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private Attention() {
    }

    /**
     * @param keyLimit per query, keys at index >= keyLimit[i] are masked (causal); null: all {@code nk} keys
     * @param keyValid per key, false masks it (padding); null: all valid
     */
    public static void attendHead(float[] q, int qBase, int qStride,
                                  float[] k, int kBase, int kStride,
                                  float[] v, int vBase, int vStride,
                                  int nq, int nk, int dim, float scale,
                                  int[] keyLimit, boolean[] keyValid,
                                  float[] out, int oBase, int oStride) {
        float[] bias = maskBias(keyValid, nk);
        if (nq < BLOCKED_MIN_QUERIES) {
            float[] scores = ThreadBuffers.floats(ThreadBuffers.ATTENTION_SCORES, nk);
            for (int i = 0; i < nq; i++) {
                int limit = keyLimit == null ? nk : Math.max(0, Math.min(nk, keyLimit[i]));
                int qo = qBase + i * qStride;
                if (dim == HELD_DIM) {
                    heldQueryScores(q, qo, k, kBase, kStride, limit, scores);
                } else if (dim == HALF_HELD_DIM) {
                    halfHeldQueryScores(q, qo, k, kBase, kStride, limit, scores);
                } else {
                    for (int j = 0; j < limit; j++) {
                        scores[j] = Kernels.dot(q, qo, k, kBase + j * kStride, dim);
                    }
                }
                softmaxRow(scores, 0, limit, scale, bias);
                weightedRowSum(scores, limit, v, vBase, vStride, dim, out, oBase + i * oStride);
            }
            return;
        }
        // Equal blocks: 257 image tokens as 64+64+64+64+1 packed every key panel again for the last query alone.
        int blocks = (nq + QUERY_BLOCK - 1) / QUERY_BLOCK;
        int block = (nq + blocks - 1) / blocks;
        for (int i0 = 0; i0 < nq; i0 += block) {
            int qb = Math.min(block, nq - i0);
            int keys = nk;
            if (keyLimit != null) {
                keys = 0;
                for (int i = i0; i < i0 + qb; i++) {
                    keys = Math.max(keys, Math.min(nk, keyLimit[i]));
                }
            }
            float[] scores = ThreadBuffers.floats(ThreadBuffers.ATTENTION_SCORES, qb * keys);
            Gemm.multiply(q, qBase + i0 * qStride, qStride, qb, PanelSource.rows(k, kBase, kStride, keys, dim),
                    scores, 0, keys, false);
            for (int i = 0; i < qb; i++) {
                int limit = keyLimit == null ? keys : Math.max(0, Math.min(keys, keyLimit[i0 + i]));
                softmaxRow(scores, i * keys, limit, scale, bias);
                java.util.Arrays.fill(scores, i * keys + limit, (i + 1) * keys, 0f);
            }
            Gemm.multiply(scores, 0, keys, qb, PanelSource.columns(v, vBase, vStride, dim, keys),
                    out, oBase + i0 * oStride, oStride, false);
        }
    }

    /**
     * {@link #attendHead} over keys and values held as bfloat16 bits, head-major ({@code k[kBase + j·dim + d]}, as a
     * bf16 {@code KvCache} holds a head). A decoding query of a {@link #HELD_DIM}- or {@link #HALF_HELD_DIM}-wide
     * head widens each key and value row in registers as it reads it, in the same order of operations as the float32
     * path on the widened values; anything else (prefill, other widths) widens the head's keys and values into
     * per-thread arrays first and takes the float32 path.
     */
    public static void attendHeadBf16(float[] q, int qBase, int qStride, short[] k, int kBase, short[] v, int vBase,
                                      int nq, int nk, int dim, float scale, int[] keyLimit, boolean[] keyValid,
                                      float[] out, int oBase, int oStride) {
        if (nq >= BLOCKED_MIN_QUERIES || dim != HELD_DIM && dim != HALF_HELD_DIM) {
            float[] kf = ThreadBuffers.floats(ThreadBuffers.WIDENED_KEYS, nk * dim);
            float[] vf = ThreadBuffers.floats(ThreadBuffers.WIDENED_VALUES, nk * dim);
            widen(k, kBase, kf, nk * dim);
            widen(v, vBase, vf, nk * dim);
            attendHead(q, qBase, qStride, kf, 0, dim, vf, 0, dim, nq, nk, dim, scale, keyLimit, keyValid, out, oBase,
                    oStride);
            return;
        }
        float[] bias = maskBias(keyValid, nk);
        float[] scores = ThreadBuffers.floats(ThreadBuffers.ATTENTION_SCORES, nk);
        for (int i = 0; i < nq; i++) {
            int limit = keyLimit == null ? nk : Math.max(0, Math.min(nk, keyLimit[i]));
            int qo = qBase + i * qStride;
            if (dim == HELD_DIM) {
                heldQueryScoresBf16(q, qo, k, kBase, limit, scores);
                softmaxRow(scores, 0, limit, scale, bias);
                heldWeightedRowSumBf16(scores, limit, v, vBase, out, oBase + i * oStride);
            } else {
                halfHeldQueryScoresBf16(q, qo, k, kBase, limit, scores);
                softmaxRow(scores, 0, limit, scale, bias);
                halfHeldWeightedRowSumBf16(scores, limit, v, vBase, out, oBase + i * oStride);
            }
        }
    }

    /** {@code out[0, n) = src[from, from + n)} as floats (bfloat16 bits are a float's upper half). */
    static void widen(short[] src, int from, float[] out, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            ((IntVector) ShortVector.fromArray(HALF, src, from + i).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = BFloat16.toFloat(src[from + i]);
        }
    }

    /**
     * {@link #heldQueryScores} over bfloat16 keys: each vector of a key row is loaded as half-width shorts,
     * sign-extended to ints and shifted into a float's upper half (the sign bits shifted out), then multiplied.
     * It repeats the float32 kernel's shape on purpose: the widening is written out rather than a shared helper,
     * since a helper taking or returning a vector is boxed wherever the JIT does not inline it.
     */
    private static void heldQueryScoresBf16(float[] q, int qo, short[] k, int kBase, int n, float[] scores) {
        FloatVector q0 = FloatVector.fromArray(F, q, qo);
        FloatVector q1 = FloatVector.fromArray(F, q, qo + L);
        FloatVector q2 = FloatVector.fromArray(F, q, qo + 2 * L);
        FloatVector q3 = FloatVector.fromArray(F, q, qo + 3 * L);
        FloatVector q4 = FloatVector.fromArray(F, q, qo + 4 * L);
        FloatVector q5 = FloatVector.fromArray(F, q, qo + 5 * L);
        FloatVector q6 = FloatVector.fromArray(F, q, qo + 6 * L);
        FloatVector q7 = FloatVector.fromArray(F, q, qo + 7 * L);
        for (int j = 0; j < n; j++) {
            int o = kBase + j * HELD_DIM;
            FloatVector x = ((IntVector) ShortVector.fromArray(HALF, k, o).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().mul(q0);
            FloatVector y = ((IntVector) ShortVector.fromArray(HALF, k, o + L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().mul(q1);
            x = ((IntVector) ShortVector.fromArray(HALF, k, o + 2 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(q2, x);
            y = ((IntVector) ShortVector.fromArray(HALF, k, o + 3 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(q3, y);
            x = ((IntVector) ShortVector.fromArray(HALF, k, o + 4 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(q4, x);
            y = ((IntVector) ShortVector.fromArray(HALF, k, o + 5 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(q5, y);
            x = ((IntVector) ShortVector.fromArray(HALF, k, o + 6 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(q6, x);
            y = ((IntVector) ShortVector.fromArray(HALF, k, o + 7 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(q7, y);
            FloatVector sum = x.add(y);
            for (VectorShuffle<Float> swap : TREE_SWAPS) {
                sum = sum.add(sum.rearrange(swap));
            }
            scores[j] = sum.lane(0);
        }
    }

    /** {@link #weightedRowSum} of a {@link #HELD_DIM}-wide head over bfloat16 value rows, widened as they are read. */
    private static void heldWeightedRowSumBf16(float[] p, int n, short[] v, int vBase, float[] out, int oo) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int j = 0; j < n; j++) {
            FloatVector w = FloatVector.broadcast(F, p[j]);
            int o = vBase + j * HELD_DIM;
            a0 = ((IntVector) ShortVector.fromArray(HALF, v, o).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a0);
            a1 = ((IntVector) ShortVector.fromArray(HALF, v, o + L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a1);
            a2 = ((IntVector) ShortVector.fromArray(HALF, v, o + 2 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a2);
            a3 = ((IntVector) ShortVector.fromArray(HALF, v, o + 3 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a3);
            a4 = ((IntVector) ShortVector.fromArray(HALF, v, o + 4 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a4);
            a5 = ((IntVector) ShortVector.fromArray(HALF, v, o + 5 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a5);
            a6 = ((IntVector) ShortVector.fromArray(HALF, v, o + 6 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a6);
            a7 = ((IntVector) ShortVector.fromArray(HALF, v, o + 7 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a7);
        }
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + L);
        a2.intoArray(out, oo + 2 * L);
        a3.intoArray(out, oo + 3 * L);
        a4.intoArray(out, oo + 4 * L);
        a5.intoArray(out, oo + 5 * L);
        a6.intoArray(out, oo + 6 * L);
        a7.intoArray(out, oo + 7 * L);
    }

    /**
     * {@link #halfHeldQueryScores} over bfloat16 keys, each vector widened as in {@link #heldQueryScoresBf16}: every
     * decoding step of a 64-wide head (SmolVLM's) widened the whole head's keys and values into arrays before.
     */
    private static void halfHeldQueryScoresBf16(float[] q, int qo, short[] k, int kBase, int n, float[] scores) {
        FloatVector q0 = FloatVector.fromArray(F, q, qo);
        FloatVector q1 = FloatVector.fromArray(F, q, qo + L);
        FloatVector q2 = FloatVector.fromArray(F, q, qo + 2 * L);
        FloatVector q3 = FloatVector.fromArray(F, q, qo + 3 * L);
        for (int j = 0; j < n; j++) {
            int o = kBase + j * HALF_HELD_DIM;
            FloatVector x = ((IntVector) ShortVector.fromArray(HALF, k, o).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().mul(q0);
            FloatVector y = ((IntVector) ShortVector.fromArray(HALF, k, o + L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().mul(q1);
            x = ((IntVector) ShortVector.fromArray(HALF, k, o + 2 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(q2, x);
            y = ((IntVector) ShortVector.fromArray(HALF, k, o + 3 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(q3, y);
            FloatVector sum = x.add(y);
            for (VectorShuffle<Float> swap : TREE_SWAPS) {
                sum = sum.add(sum.rearrange(swap));
            }
            scores[j] = sum.lane(0);
        }
    }

    /**
     * {@link #weightedRowSum} of a {@link #HALF_HELD_DIM}-wide head (its four-vector pass) over bfloat16 value rows,
     * widened as they are read.
     */
    private static void halfHeldWeightedRowSumBf16(float[] p, int n, short[] v, int vBase, float[] out, int oo) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < n; j++) {
            FloatVector w = FloatVector.broadcast(F, p[j]);
            int o = vBase + j * HALF_HELD_DIM;
            a0 = ((IntVector) ShortVector.fromArray(HALF, v, o).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a0);
            a1 = ((IntVector) ShortVector.fromArray(HALF, v, o + L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a1);
            a2 = ((IntVector) ShortVector.fromArray(HALF, v, o + 2 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a2);
            a3 = ((IntVector) ShortVector.fromArray(HALF, v, o + 3 * L).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a3);
        }
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + L);
        a2.intoArray(out, oo + 2 * L);
        a3.intoArray(out, oo + 3 * L);
    }

    /**
     * {@code scores[j] = q·k_j} for keys [0, n) of a {@value #HELD_VECTORS}-vector head (idefics-9b's and -80b's 128
     * on AVX-512): the query stays in registers for all keys and each key takes two independent chains of
     * multiply-adds, then a fixed tree of lane swaps (the same sum whether interpreted or compiled, unlike
     * {@code reduceLanes}). Decoding a batch reads every sequence's keys and values once a step; the general
     * {@link Kernels#dot} per key reloads the query and sums lanes through memory, and was the slower and far
     * more erratic of the two.
     */
    private static void heldQueryScores(float[] q, int qo, float[] k, int kBase, int kStride, int n,
                                        float[] scores) {
        FloatVector q0 = FloatVector.fromArray(F, q, qo);
        FloatVector q1 = FloatVector.fromArray(F, q, qo + L);
        FloatVector q2 = FloatVector.fromArray(F, q, qo + 2 * L);
        FloatVector q3 = FloatVector.fromArray(F, q, qo + 3 * L);
        FloatVector q4 = FloatVector.fromArray(F, q, qo + 4 * L);
        FloatVector q5 = FloatVector.fromArray(F, q, qo + 5 * L);
        FloatVector q6 = FloatVector.fromArray(F, q, qo + 6 * L);
        FloatVector q7 = FloatVector.fromArray(F, q, qo + 7 * L);
        for (int j = 0; j < n; j++) {
            int o = kBase + j * kStride;
            FloatVector x = FloatVector.fromArray(F, k, o).mul(q0);
            FloatVector y = FloatVector.fromArray(F, k, o + L).mul(q1);
            x = FloatVector.fromArray(F, k, o + 2 * L).fma(q2, x);
            y = FloatVector.fromArray(F, k, o + 3 * L).fma(q3, y);
            x = FloatVector.fromArray(F, k, o + 4 * L).fma(q4, x);
            y = FloatVector.fromArray(F, k, o + 5 * L).fma(q5, y);
            x = FloatVector.fromArray(F, k, o + 6 * L).fma(q6, x);
            y = FloatVector.fromArray(F, k, o + 7 * L).fma(q7, y);
            // The lanes' sum by pairwise swaps at distance L/2, L/4, ..., 1 (lane 0 then holds it), written out
            // here: a helper taking a vector is boxed wherever the JIT declines to inline it.
            FloatVector sum = x.add(y);
            for (VectorShuffle<Float> swap : TREE_SWAPS) {
                sum = sum.add(sum.rearrange(swap));
            }
            scores[j] = sum.lane(0);
        }
    }

    /**
     * {@link #heldQueryScores} for a head of four vectors ({@link #HALF_HELD_DIM}): the query in four registers, two
     * chains of multiply-adds per key and the same tree of lane swaps. Through {@link Kernels#dot} each key's
     * product went through an array and a scalar sum of its lanes, and decoding SmolVLM-256M's 30 layers x 9 heads
     * at 512 positions spent about a fifth of a step there.
     */
    private static void halfHeldQueryScores(float[] q, int qo, float[] k, int kBase, int kStride, int n,
                                            float[] scores) {
        FloatVector q0 = FloatVector.fromArray(F, q, qo);
        FloatVector q1 = FloatVector.fromArray(F, q, qo + L);
        FloatVector q2 = FloatVector.fromArray(F, q, qo + 2 * L);
        FloatVector q3 = FloatVector.fromArray(F, q, qo + 3 * L);
        for (int j = 0; j < n; j++) {
            int o = kBase + j * kStride;
            FloatVector x = FloatVector.fromArray(F, k, o).mul(q0);
            FloatVector y = FloatVector.fromArray(F, k, o + L).mul(q1);
            x = FloatVector.fromArray(F, k, o + 2 * L).fma(q2, x);
            y = FloatVector.fromArray(F, k, o + 3 * L).fma(q3, y);
            FloatVector sum = x.add(y);
            for (VectorShuffle<Float> swap : TREE_SWAPS) {
                sum = sum.add(sum.rearrange(swap));
            }
            scores[j] = sum.lane(0);
        }
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] treeSwaps() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] swaps = new VectorShuffle[steps];
        for (int i = 0; i < steps; i++) {
            int distance = L >> (i + 1);
            swaps[i] = VectorShuffle.fromOp(F, lane -> lane ^ distance);
        }
        return swaps;
    }

    /** The padding mask as a score bias: 0 for valid keys, -infinity for masked ones; null when none is masked. */
    static float[] maskBias(boolean[] keyValid, int nk) {
        if (keyValid == null) {
            return null;
        }
        float[] bias = new float[nk];
        for (int j = 0; j < nk; j++) {
            bias[j] = keyValid[j] ? 0f : Float.NEGATIVE_INFINITY;
        }
        return bias;
    }

    /**
     * Turns {@code s[o, o+limit)} (raw dot products) into attention weights: scaled, masked keys at zero, the rest
     * a softmax; all equal when no key is visible.
     */
    static void softmaxRow(float[] s, int o, int limit, float scale, float[] bias) {
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < limit; j += L) {
            VectorMask<Float> m = F.indexInRange(j, limit);
            FloatVector x = FloatVector.fromArray(F, s, o + j, m).mul(scale);
            if (bias != null) {
                x = x.add(FloatVector.fromArray(F, bias, j, m));
            }
            x.intoArray(s, o + j, m);
            max = max.max(x.blend(Float.NEGATIVE_INFINITY, m.not()));
        }
        float top = max.reduceLanes(VectorOperators.MAX);
        if (top == Float.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(s, o, o + limit, 1f / limit);
            return;
        }
        float sum = Ops.expInPlace(s, o, limit, top);
        Ops.scale(s, o, limit, 1f / sum);
    }

    /** {@code out[d] = sum_j p[j] * v[vBase + j * vStride + d]}, eight vectors of d at a time held in registers. */
    static void weightedRowSum(float[] p, int n, float[] v, int vBase, int vStride, int dim, float[] out, int oo) {
        int d = 0;
        // Eight vectors a pass (a 128-wide head on AVX-512, as decoding idefics-9b and -80b): each value row is read
        // in one pass, and eight independent chains keep both FMA pipes busy; then four (below); what remains
        // (only the tiny test models decode with it) goes a vector at a time. Every lane sums over j in the same
        // order either way.
        for (; d + 8 * L <= dim; d += 8 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int j = 0; j < n; j++) {
                FloatVector w = FloatVector.broadcast(F, p[j]);
                int o = vBase + j * vStride + d;
                a0 = FloatVector.fromArray(F, v, o).fma(w, a0);
                a1 = FloatVector.fromArray(F, v, o + L).fma(w, a1);
                a2 = FloatVector.fromArray(F, v, o + 2 * L).fma(w, a2);
                a3 = FloatVector.fromArray(F, v, o + 3 * L).fma(w, a3);
                a4 = FloatVector.fromArray(F, v, o + 4 * L).fma(w, a4);
                a5 = FloatVector.fromArray(F, v, o + 5 * L).fma(w, a5);
                a6 = FloatVector.fromArray(F, v, o + 6 * L).fma(w, a6);
                a7 = FloatVector.fromArray(F, v, o + 7 * L).fma(w, a7);
            }
            a0.intoArray(out, oo + d);
            a1.intoArray(out, oo + d + L);
            a2.intoArray(out, oo + d + 2 * L);
            a3.intoArray(out, oo + d + 3 * L);
            a4.intoArray(out, oo + d + 4 * L);
            a5.intoArray(out, oo + d + 5 * L);
            a6.intoArray(out, oo + d + 6 * L);
            a7.intoArray(out, oo + d + 7 * L);
        }
        // Four vectors a pass (a 64-wide head on AVX-512: SmolVLM's), each lane summed in the same order.
        for (; d + 4 * L <= dim; d += 4 * L) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0; j < n; j++) {
                FloatVector w = FloatVector.broadcast(F, p[j]);
                int o = vBase + j * vStride + d;
                a0 = FloatVector.fromArray(F, v, o).fma(w, a0);
                a1 = FloatVector.fromArray(F, v, o + L).fma(w, a1);
                a2 = FloatVector.fromArray(F, v, o + 2 * L).fma(w, a2);
                a3 = FloatVector.fromArray(F, v, o + 3 * L).fma(w, a3);
            }
            a0.intoArray(out, oo + d);
            a1.intoArray(out, oo + d + L);
            a2.intoArray(out, oo + d + 2 * L);
            a3.intoArray(out, oo + d + 3 * L);
        }
        for (; d < dim; d += L) {
            VectorMask<Float> m = F.indexInRange(d, dim);
            FloatVector a = FloatVector.zero(F);
            for (int j = 0; j < n; j++) {
                a = FloatVector.fromArray(F, v, vBase + j * vStride + d, m).fma(FloatVector.broadcast(F, p[j]), a);
            }
            a.intoArray(out, oo + d, m);
        }
    }
}
