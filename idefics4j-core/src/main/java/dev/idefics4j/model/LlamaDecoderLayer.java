package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.WeightLayout;
import dev.idefics4j.tensor.Attention;
import dev.idefics4j.tensor.Ops;
import dev.idefics4j.tensor.Parallel;

/**
 * LlamaDecoderLayer (IdeficsDecoderLayer and MistralDecoderLayer are the same block):
 * {@code h += o(attn(rope(q), rope(k), v))} over the causal, padding-masked history held in the KV cache, then
 * {@code h += mlp(post_attention_layernorm(h))}. Grouped-query attention: q is heads·head_dim wide, k and v
 * kv_heads·head_dim, and query head {@code i} reads key/value head {@code i / (heads / kv_heads)}; o maps
 * heads·head_dim back to hidden.
 */
public final class LlamaDecoderLayer {
    private final int index;
    private final int heads;
    private final int group;
    private final int headDim;
    private final int qDim;
    private final int kvDim;
    private final RmsNorm inputLayernorm;
    private final RmsNorm postAttentionLayernorm;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;
    private final LlamaMlp mlp;
    private final RotaryEmbedding rotary;

    /**
     * @param prefix the layer's weight names, e.g. {@code model.layers.3.} or {@code model.text_model.layers.3.}
     * @param index  the layer's place in the KV cache
     */
    public LlamaDecoderLayer(LlamaConfig c, Checkpoint ckpt, String prefix, int index, RotaryEmbedding rotary) {
        this.index = index;
        this.rotary = rotary;
        int hidden = c.hiddenSize();
        heads = c.numAttentionHeads();
        group = c.groupSize();
        headDim = c.headDim();
        qDim = c.queryDim();
        kvDim = c.keyValueDim();
        inputLayernorm = RmsNorm.load(ckpt, prefix + "input_layernorm", hidden, c.rmsNormEps());
        postAttentionLayernorm = RmsNorm.load(ckpt, prefix + "post_attention_layernorm", hidden, c.rmsNormEps());
        qProj = Linear.load(ckpt, prefix + "self_attn.q_proj", hidden, qDim, false);
        kProj = Linear.load(ckpt, prefix + "self_attn.k_proj", hidden, kvDim, false);
        vProj = Linear.load(ckpt, prefix + "self_attn.v_proj", hidden, kvDim, false);
        oProj = Linear.load(ckpt, prefix + "self_attn.o_proj", qDim, hidden, false);
        mlp = new LlamaMlp(ckpt, prefix + "mlp.", hidden, c.intermediateSize());
    }

    /** The layer's tensors under {@code prefix} as the reference names and orders them (random checkpoints). */
    public static void weights(LlamaConfig c, String prefix, WeightLayout out) {
        int hidden = c.hiddenSize();
        out.linear(prefix + "self_attn.q_proj", hidden, c.queryDim(), false);
        out.linear(prefix + "self_attn.k_proj", hidden, c.keyValueDim(), false);
        out.linear(prefix + "self_attn.v_proj", hidden, c.keyValueDim(), false);
        out.linear(prefix + "self_attn.o_proj", c.queryDim(), hidden, false);
        out.llamaMlp(prefix + "mlp.", hidden, c.intermediateSize());
        out.add(prefix + "input_layernorm.weight", WeightLayout.Kind.NORM_WEIGHT, hidden);
        out.add(prefix + "post_attention_layernorm.weight", WeightLayout.Kind.NORM_WEIGHT, hidden);
    }

    /** Bytes of weights one token reads: the four projections and the MLP. */
    public long streamedBytes() {
        return qProj.weight().byteSize() + kProj.weight().byteSize() + vProj.weight().byteSize()
                + oProj.weight().byteSize() + mlp.byteSize();
    }

    /**
     * Runs the batch's new tokens through the layer, storing their keys and values in the batch's caches (which
     * the caller advances once all layers have run). Each row attends to its own history only, so a row computes
     * the same whichever rows, and caches, it is batched with.
     *
     * @param h [rows·tokens, hidden], updated in place
     */
    public void forward(float[] h, DecoderBatch batch) {
        int rows = batch.rows();
        int tokens = batch.tokens();
        int n = rows * tokens;
        float[] x = inputLayernorm.forward(h, n);
        float[][] qkv = Linear.forwardEach(x, n, qProj, kProj, vProj);
        float[] q = qkv[0];
        float[] k = qkv[1];
        float[] v = qkv[2];
        int[][] positions = batch.positions();
        int[][] limits = new int[rows][tokens];
        long work = 0;
        for (int b = 0; b < rows; b++) {
            KvCache cache = batch.cache(b);
            int past = batch.past(b);
            cache.ensureCapacity(past + tokens);
            for (int t = 0; t < tokens; t++) {
                int token = b * tokens + t;
                rotary.apply(q, token * qDim, heads, positions[b][t]);
                rotary.apply(k, token * kvDim, heads / group, positions[b][t]);
                cache.put(index, batch.cacheRow(b), past + t, k, token * kvDim, v, token * kvDim);
                limits[b][t] = past + t + 1;
            }
            work += (long) (past + tokens) * tokens;
        }
        float[] attn = new float[n * qDim];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Parallel.forEach(rows * heads, work > 64, bh -> {
            int b = bh / heads;
            attend(batch.cache(b), batch.cacheRow(b), bh % heads, q, b * tokens * qDim, tokens, batch.past(b) + tokens,
                    scale, limits[b], batch.keyValid(b), attn);
        });
        float[] o = oProj.forward(attn, n);
        Ops.addInPlace(h, o, h.length);
        float[] y = postAttentionLayernorm.forward(h, n);
        float[] m = mlp.forward(y, n);
        Ops.addInPlace(h, m, h.length);
    }

    /**
     * One query head of one batch row: the queries of {@code tokens} positions from {@code rowBase} in q (and their
     * outputs in attn, both [.., heads·head_dim]) against the first {@code keys} cached keys and values of the
     * key/value head it shares with its group.
     */
    private void attend(KvCache cache, int row, int head, float[] q, int rowBase, int tokens, int keys, float scale,
                        int[] limits, boolean[] keyValid, float[] attn) {
        int off = rowBase + head * headDim;
        int kv = cache.headOffset(head / group);
        if (cache.bf16()) {
            Attention.attendHeadBf16(q, off, qDim, cache.keysBf16(index, row), kv, cache.valuesBf16(index, row), kv,
                    tokens, keys, headDim, scale, limits, keyValid, attn, off, qDim);
        } else {
            Attention.attendHead(q, off, qDim, cache.keys(index, row), kv, headDim, cache.values(index, row), kv,
                    headDim, tokens, keys, headDim, scale, limits, keyValid, attn, off, qDim);
        }
    }
}
