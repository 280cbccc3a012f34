package dev.idefics4j.tensor;

/**
 * The arithmetic of a layer's attention over many queries (a vision tower's): the one its projections take, so a
 * model loaded in float32 formats stays exact and a {@code bf16-dot} one runs its attention products on the bf16
 * dot-product instruction too.
 */
public enum HeadAttention {
    /** Float32 products ({@link Attention}): every format but {@code bf16-dot}, and what the parity needs. */
    FLOAT32,
    /** bf16 operands, float32 sums, through the native kernel ({@link Bf16DotAttention}). */
    BF16_DOT;

    /** The arithmetic that matches a projection of the same layer. */
    public static HeadAttention matching(MatrixWeight projection) {
        return projection.bf16DotProducts() ? BF16_DOT : FLOAT32;
    }

    /** One head's attention, the arguments as {@link Attention#attendHead}'s. */
    public void attendHead(float[] q, int qBase, int qStride,
                           float[] k, int kBase, int kStride,
                           float[] v, int vBase, int vStride,
                           int nq, int nk, int dim, float scale,
                           int[] keyLimit, boolean[] keyValid,
                           float[] out, int oBase, int oStride) {
        if (this == BF16_DOT) {
            Bf16DotAttention.attendHead(q, qBase, qStride, k, kBase, kStride, v, vBase, vStride, nq, nk, dim, scale,
                    keyLimit, keyValid, out, oBase, oStride);
        } else {
            Attention.attendHead(q, qBase, qStride, k, kBase, kStride, v, vBase, vStride, nq, nk, dim, scale,
                    keyLimit, keyValid, out, oBase, oStride);
        }
    }
}
