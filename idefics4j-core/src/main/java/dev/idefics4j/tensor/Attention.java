package dev.idefics4j.tensor;

/**
 * Scaled dot-product attention for one head: {@code softmax(q·kᵀ·scale + mask)·v}. Rows of q, k, v and out are
 * addressed as {@code base + row * stride}, so heads can be read in place from [tokens, heads·dim] layouts.
 * Masked keys are skipped, which equals adding the most negative float as the reference does whenever a query
 * has at least one visible key; a query with none gets the plain average of the values it could see
 * ({@code keyLimit}), the reference's result for fully masked (padding) rows being implementation-defined anyway.
 */
public final class Attention {
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
        float[] scores = new float[nk];
        for (int i = 0; i < nq; i++) {
            int limit = keyLimit == null ? nk : Math.min(nk, keyLimit[i]);
            int qo = qBase + i * qStride;
            float max = Float.NEGATIVE_INFINITY;
            int visible = 0;
            for (int j = 0; j < limit; j++) {
                if (keyValid != null && !keyValid[j]) {
                    scores[j] = Float.NEGATIVE_INFINITY;
                    continue;
                }
                float s = Kernels.dot(q, qo, k, kBase + j * kStride, dim) * scale;
                scores[j] = s;
                max = Math.max(max, s);
                visible++;
            }
            int oo = oBase + i * oStride;
            java.util.Arrays.fill(out, oo, oo + dim, 0f);
            if (visible == 0) {
                for (int j = 0; j < limit; j++) {
                    Kernels.axpy(1f / limit, v, vBase + j * vStride, out, oo, dim);
                }
                continue;
            }
            double sum = 0;
            for (int j = 0; j < limit; j++) {
                if (scores[j] == Float.NEGATIVE_INFINITY) {
                    scores[j] = 0;
                    continue;
                }
                float e = (float) Math.exp(scores[j] - max);
                scores[j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < limit; j++) {
                if (scores[j] != 0) {
                    Kernels.axpy(scores[j] * inv, v, vBase + j * vStride, out, oo, dim);
                }
            }
        }
    }
}
