package dev.idefics4j.model.idefics;

import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.Weight;

/** IdeficsDecoupledLinear (the lm head): logits = {@code concat(h·weightᵀ, h·additional_fcᵀ)}. */
final class DecoupledLinear {
    private final Weight weight;
    private final Weight additionalFc;

    DecoupledLinear(Weight weight, Weight additionalFc) {
        this.weight = weight;
        this.additionalFc = additionalFc;
    }

    int outFeatures() {
        return weight.rows() + (additionalFc == null ? 0 : additionalFc.rows());
    }

    long byteSize() {
        return weight.byteSize() + (additionalFc == null ? 0 : additionalFc.byteSize());
    }

    /** Logits for {@code n} rows of {@code h} starting at row {@code firstRow}, [n, outFeatures]. */
    float[] forward(float[] h, int n) {
        int vocab = weight.rows();
        int total = outFeatures();
        float[] main = new float[n * vocab];
        Kernels.matmul(h, n, weight, main);
        if (additionalFc == null) {
            return main;
        }
        int extra = additionalFc.rows();
        float[] add = new float[n * extra];
        Kernels.matmul(h, n, additionalFc, add);
        float[] out = new float[n * total];
        for (int r = 0; r < n; r++) {
            System.arraycopy(main, r * vocab, out, r * total, vocab);
            System.arraycopy(add, r * extra, out, r * total + vocab, extra);
        }
        return out;
    }
}
