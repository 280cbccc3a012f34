package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.IdeficsConfig;
import dev.idefics4j.tensor.Attention;
import dev.idefics4j.tensor.Ops;
import dev.idefics4j.tensor.Parallel;

/**
 * IdeficsDecoderLayer (LLaMA): {@code h += o(attn(rope(q), rope(k), v))} over the causal, padding-masked history
 * held in the KV cache, then {@code h += mlp(post_attention_layernorm(h))}.
 */
final class LlamaDecoderLayer {
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
    private final LlamaMlp mlp;
    private final RotaryEmbedding rotary;

    LlamaDecoderLayer(IdeficsConfig c, Checkpoint ckpt, int index, RotaryEmbedding rotary) {
        this.index = index;
        this.rotary = rotary;
        String p = "model.layers." + index + ".";
        hidden = c.hiddenSize();
        heads = c.numAttentionHeads();
        headDim = c.headDim();
        inputLayernorm = RmsNorm.load(ckpt, p + "input_layernorm", hidden, c.rmsNormEps());
        postAttentionLayernorm = RmsNorm.load(ckpt, p + "post_attention_layernorm", hidden, c.rmsNormEps());
        qProj = Linear.load(ckpt, p + "self_attn.q_proj", hidden, hidden, false);
        kProj = Linear.load(ckpt, p + "self_attn.k_proj", hidden, hidden, false);
        vProj = Linear.load(ckpt, p + "self_attn.v_proj", hidden, hidden, false);
        oProj = Linear.load(ckpt, p + "self_attn.o_proj", hidden, hidden, false);
        mlp = new LlamaMlp(ckpt, p + "mlp.", hidden, c.intermediateSize());
    }

    /** Bytes of weights one token reads: the four projections and the MLP. */
    long streamedBytes() {
        return qProj.weight().byteSize() + kProj.weight().byteSize() + vProj.weight().byteSize()
                + oProj.weight().byteSize() + mlp.byteSize();
    }

    /**
     * @param h         [rows·tokens, hidden], updated in place
     * @param positions [rows][tokens] rotary positions of the new tokens
     * @param keyValid  [rows][past + tokens] the attention mask as booleans
     */
    void forward(float[] h, int rows, int tokens, int[][] positions, boolean[][] keyValid, KvCache cache) {
        int n = rows * tokens;
        float[] x = inputLayernorm.forward(h, n);
        float[] q = qProj.forward(x, n);
        float[] k = kProj.forward(x, n);
        float[] v = vProj.forward(x, n);
        int past = cache.length();
        cache.ensureCapacity(past + tokens);
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < tokens; t++) {
                int row = (b * tokens + t) * hidden;
                rotary.apply(q, row, heads, positions[b][t]);
                rotary.apply(k, row, heads, positions[b][t]);
                cache.put(index, b, past + t, k, row, v, row);
            }
        }
        float[] attn = new float[n * hidden];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int[] limits = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            limits[t] = past + t + 1;
        }
        Parallel.forEach(rows * heads, (past + tokens) * tokens > 64,
                bh -> attend(cache, bh / heads, bh % heads, q, bh / heads * tokens * hidden, tokens, past + tokens,
                        scale, limits, keyValid[bh / heads], attn));
        finish(h, attn, n);
    }

    /**
     * One new token for each of several independent sequences, each with its own one-row cache of its own length:
     * the projections and the MLP run on all rows at once, attention per sequence against its own history. Row i
     * computes exactly what {@link #forward} computes for that sequence alone.
     *
     * @param h         [sequences, hidden], updated in place
     * @param positions rotary position of each sequence's new token
     * @param keyValid  per sequence, its attention mask (cached + 1) as booleans
     */
    void forwardSequences(float[] h, int[] positions, boolean[][] keyValid, KvCache[] caches) {
        int n = caches.length;
        float[] x = inputLayernorm.forward(h, n);
        float[] q = qProj.forward(x, n);
        float[] k = kProj.forward(x, n);
        float[] v = vProj.forward(x, n);
        int[][] limits = new int[n][];
        for (int b = 0; b < n; b++) {
            KvCache cache = caches[b];
            int past = cache.length();
            cache.ensureCapacity(past + 1);
            int row = b * hidden;
            rotary.apply(q, row, heads, positions[b]);
            rotary.apply(k, row, heads, positions[b]);
            cache.put(index, 0, past, k, row, v, row);
            limits[b] = new int[]{past + 1};
        }
        float[] attn = new float[n * hidden];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Parallel.forEach(n * heads, n * heads > 1 && n > 1, bh -> {
            int b = bh / heads;
            attend(caches[b], 0, bh % heads, q, b * hidden, 1, limits[b][0], scale, limits[b], keyValid[b], attn);
        });
        finish(h, attn, n);
    }

    /**
     * One head of one cache row: the queries of {@code tokens} positions from {@code rowBase} in q (and their
     * outputs in attn, both [.., hidden]) against the row's first {@code keys} cached keys and values.
     */
    private void attend(KvCache cache, int row, int head, float[] q, int rowBase, int tokens, int keys, float scale,
                        int[] limits, boolean[] keyValid, float[] attn) {
        int off = rowBase + head * headDim;
        int kv = cache.headOffset(head);
        if (cache.bf16()) {
            Attention.attendHeadBf16(q, off, hidden, cache.keysBf16(index, row), kv, cache.valuesBf16(index, row), kv,
                    tokens, keys, headDim, scale, limits, keyValid, attn, off, hidden);
        } else {
            Attention.attendHead(q, off, hidden, cache.keys(index, row), kv, headDim, cache.values(index, row), kv,
                    headDim, tokens, keys, headDim, scale, limits, keyValid, attn, off, hidden);
        }
    }

    /** {@code h += o(attn)}, then {@code h += mlp(post_attention_layernorm(h))}. */
    private void finish(float[] h, float[] attn, int n) {
        float[] o = oProj.forward(attn, n);
        Ops.addInPlace(h, o, h.length);
        float[] y = postAttentionLayernorm.forward(h, n);
        float[] m = mlp.forward(y, n);
        Ops.addInPlace(h, m, h.length);
    }
}
