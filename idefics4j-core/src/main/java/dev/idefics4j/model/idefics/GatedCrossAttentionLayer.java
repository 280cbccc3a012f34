package dev.idefics4j.model.idefics;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.Linear;
import dev.idefics4j.model.LlamaMlp;
import dev.idefics4j.model.RmsNorm;
import dev.idefics4j.tensor.Attention;
import dev.idefics4j.tensor.Parallel;

/**
 * IdeficsGatedCrossAttentionLayer: text attends to image states,
 * {@code h += tanh(alpha_cross_attn) · gate ⊙ xattn(input_layernorm(h), images)}, then
 * {@code h += tanh(alpha_dense) · mlp(post_attention_layernorm(h))}. The gate silences the cross-attention term for
 * tokens that see no image; the dense term applies to every token. Keys/values come precomputed in
 * {@link ImageContext}.
 */
public final class GatedCrossAttentionLayer {
    private final int index;
    private final int hidden;
    private final int heads;
    private final int headDim;
    private final RmsNorm inputLayernorm;
    private final RmsNorm postAttentionLayernorm;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;
    private final RmsNorm qLayerNorm;
    private final RmsNorm kLayerNorm;
    private final LlamaMlp mlp;
    private final float[] tanhAlphaCrossAttn; // length 1 (float) or hidden (vector)
    private final float[] tanhAlphaDense;

    public GatedCrossAttentionLayer(IdeficsConfig c, Checkpoint ckpt, int index) {
        this.index = index;
        String p = "model.gated_cross_attn_layers." + index + ".";
        hidden = c.hiddenSize();
        heads = c.numAttentionHeads();
        headDim = c.headDim();
        int kvIn = c.visionConfig().embedDim();
        inputLayernorm = RmsNorm.load(ckpt, p + "input_layernorm", hidden, c.rmsNormEps());
        postAttentionLayernorm = RmsNorm.load(ckpt, p + "post_attention_layernorm", hidden, c.rmsNormEps());
        qProj = Linear.load(ckpt, p + "cross_attn.q_proj", hidden, hidden, false);
        kProj = Linear.load(ckpt, p + "cross_attn.k_proj", kvIn, hidden, false);
        vProj = Linear.load(ckpt, p + "cross_attn.v_proj", kvIn, hidden, false);
        oProj = Linear.load(ckpt, p + "cross_attn.o_proj", hidden, hidden, false);
        if (c.qkLayerNorms()) {
            qLayerNorm = RmsNorm.load(ckpt, p + "cross_attn.q_layer_norm", headDim, c.rmsNormEps());
            kLayerNorm = RmsNorm.load(ckpt, p + "cross_attn.k_layer_norm", headDim, c.rmsNormEps());
        } else {
            qLayerNorm = null;
            kLayerNorm = null;
        }
        mlp = new LlamaMlp(ckpt, p + "mlp.", hidden, c.intermediateSize());
        boolean vector = c.alphaType().equals("vector");
        long[] alphaShape = vector ? new long[]{1, 1, hidden} : new long[]{1};
        tanhAlphaCrossAttn = tanh(ckpt.floats(p + "alpha_cross_attn", alphaShape));
        tanhAlphaDense = tanh(ckpt.floats(p + "alpha_dense", alphaShape));
    }

    private static float[] tanh(float[] a) {
        float[] t = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            t[i] = (float) Math.tanh(a[i]);
        }
        return t;
    }

    /** Bytes of weights one text token reads: q, o and the MLP (image keys and values are computed once). */
    long streamedBytes() {
        return qProj.weight().byteSize() + oProj.weight().byteSize() + mlp.byteSize();
    }

    /** Projects one row's image states into this layer's keys and values (once per request). */
    public float[][] projectImages(float[] states, int count) {
        float[] k = kProj.forward(states, count);
        float[] v = vProj.forward(states, count);
        if (kLayerNorm != null) {
            kLayerNorm.forwardInPlace(k, 0, count * heads);
        }
        return new float[][]{k, v};
    }

    /**
     * @param imageMask [rows][tokens][images]: which images each token attends to
     * @param gate      [rows][tokens]: whether the token attends to any image
     */
    public void forward(float[] h, int rows, int tokens, int[][][] imageMask, boolean[][] gate,
                        ImageContext images) {
        int n = rows * tokens;
        float[] x = inputLayernorm.forward(h, n);
        float[] q = qProj.forward(x, n);
        if (qLayerNorm != null) {
            qLayerNorm.forwardInPlace(q, 0, n * heads);
        }
        float[] attn = new float[n * hidden];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int seq = images.imageSeqLen();
        // Consecutive gated tokens of a row that see the same images attend together, as one block of queries;
        // all blocks of all rows then run as one parallel loop over (block, head): a decoding step of eight
        // sequences made eight small parallel loops of one query each, which cost more than their attention.
        java.util.List<QueryRun> runs = new java.util.ArrayList<>();
        long work = 0;
        for (int b = 0; b < rows; b++) {
            int count = images.images(b);
            for (int t = 0; t < tokens; ) {
                if (!gate[b][t]) {
                    t++;
                    continue; // zeroed by the gate whatever it attends to
                }
                int first = t;
                while (t < tokens && gate[b][t] && java.util.Arrays.equals(imageMask[b][t], 0, count,
                        imageMask[b][first], 0, count)) {
                    t++;
                }
                boolean[] valid = new boolean[count * seq];
                for (int img = 0; img < count; img++) {
                    java.util.Arrays.fill(valid, img * seq, (img + 1) * seq, imageMask[b][first][img] != 0);
                }
                runs.add(new QueryRun(b, (b * tokens + first) * hidden, t - first, count * seq, valid));
                work += (long) (t - first) * count * seq;
            }
        }
        Parallel.forEach(runs.size() * heads, work > 64, task -> {
            QueryRun r = runs.get(task / heads);
            int off = (task % heads) * headDim;
            Attention.attendHead(q, r.queryOffset + off, hidden, images.crossKeys(index, r.row), off, hidden,
                    images.crossValues(index, r.row), off, hidden, r.queries, r.keys, headDim, scale, null,
                    r.valid, attn, r.queryOffset + off, hidden);
        });
        float[] o = oProj.forward(attn, n);
        addGated(h, o, n, tanhAlphaCrossAttn);
        float[] y = postAttentionLayernorm.forward(h, n);
        float[] m = mlp.forward(y, n);
        addGated(h, m, n, tanhAlphaDense);
    }

    /** Queries {@code [queryOffset, +queries·hidden)} of one row, attending to its {@code keys} image positions. */
    private record QueryRun(int row, int queryOffset, int queries, int keys, boolean[] valid) {
    }

    private void addGated(float[] h, float[] delta, int n, float[] alpha) {
        for (int r = 0; r < n; r++) {
            int o = r * hidden;
            for (int i = 0; i < hidden; i++) {
                h[o + i] += alpha[alpha.length == 1 ? 0 : i] * delta[o + i];
            }
        }
    }
}
