package dev.idefics4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * {@link Attention#attendHead} in the {@code bf16-dot} arithmetic: both products of a head, the scores
 * {@code q·kᵀ} and the output {@code e·v}, go through the native bf16 dot-product kernel ({@link NativeKernels}),
 * their operands rounded to bf16 (nearest even) and the sums accumulated in float32, as the linear layers of that
 * format take theirs. The head's keys are packed once as a bf16 weight of {@code nk} rows by {@code dim}, its values
 * once, transposed, as a weight of {@code dim} rows by {@code nk}, and both serve every block of queries (the
 * float32 path transposes its key panels again for each block). The softmax's exponentials {@code e} are taken in
 * float32 in native code as they are rounded and packed, one pass over the scores; each output row is then divided
 * by its float32 sum of them.
 */
public final class Bf16DotAttention {
    /** Queries per block: whole tiles of the kernel's 12 tokens, bounding the scores and their packed copy. */
    private static final int QUERY_BLOCK = 48;

    /** Per thread, kept between calls: a head's packed keys, values, query block and attention weights. */
    private static final ThreadLocal<MemorySegment> KEYS = ThreadLocal.withInitial(() -> MemorySegment.NULL);
    private static final ThreadLocal<MemorySegment> VALUES = ThreadLocal.withInitial(() -> MemorySegment.NULL);
    private static final ThreadLocal<MemorySegment> QUERIES = ThreadLocal.withInitial(() -> MemorySegment.NULL);
    private static final ThreadLocal<MemorySegment> WEIGHTS = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    private Bf16DotAttention() {
    }

    /**
     * {@code bf16(e)·bf16(v) / sum(e)} with {@code e = exp(bf16(q)·bf16(k)ᵀ·scale + mask - max)} per query, for one
     * head; the arguments as {@link Attention#attendHead}'s. Runs on the calling thread (callers parallelise over
     * heads).
     */
    public static void attendHead(float[] q, int qBase, int qStride,
                                  float[] k, int kBase, int kStride,
                                  float[] v, int vBase, int vStride,
                                  int nq, int nk, int dim, float scale,
                                  int[] keyLimit, boolean[] keyValid,
                                  float[] out, int oBase, int oStride) {
        if (nq == 0) {
            return;
        }
        MemorySegment keys = Bf16Dot.threadSegment(KEYS, NativeKernels.packedWeightBytes(nk, dim));
        NativeKernels.packFloatRows(k, kBase, kStride, nk, dim, keys);
        MemorySegment values = Bf16Dot.threadSegment(VALUES, NativeKernels.packedWeightBytes(dim, nk));
        NativeKernels.packFloatColumns(v, vBase, vStride, nk, dim, values);
        float[] bias = Attention.maskBias(keyValid, nk);
        int tile = NativeKernels.tile();
        int block = Math.min(QUERY_BLOCK, (nq + tile - 1) / tile * tile);
        // Rows of scores 4 KiB apart (1,024 keys) fall into the same cache sets; a line more apart, they do not.
        int lds = (nk + 15) / 16 * 16 + 16;
        MemorySegment queries = Bf16Dot.threadSegment(QUERIES, (long) block * ((dim + 1) / 2) * 4);
        MemorySegment weights = Bf16Dot.threadSegment(WEIGHTS, (long) block * ((nk + 1) / 2) * 4);
        float[] scores = ThreadBuffers.floats(ThreadBuffers.ATTENTION_SCORES, block * lds);
        float[] norms = new float[block];
        for (int i0 = 0; i0 < nq; i0 += block) {
            int qb = Math.min(block, nq - i0);
            NativeKernels.packActivations(q, qBase + i0 * qStride, qb, qStride, dim, queries, 0,
                    (qb + tile - 1) / tile);
            NativeKernels.bf16Gemm(queries, qb, dim, null, keys, 0, nk, scores, 0, lds);
            NativeKernels.softmaxPack(scores, qb, nk, lds, scale, bias, keyLimit, i0, weights, norms);
            NativeKernels.bf16GemmScaled(weights, qb, nk, values, 0, dim, out, oBase + i0 * oStride, oStride, norms);
        }
    }
}
