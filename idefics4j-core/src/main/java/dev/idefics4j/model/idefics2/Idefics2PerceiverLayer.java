package dev.idefics4j.model.idefics2;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.Linear;
import dev.idefics4j.tensor.Attention;
import dev.idefics4j.tensor.Ops;
import dev.idefics4j.tensor.Parallel;

/**
 * Idefics2PerceiverLayer with its Idefics2PerceiverAttention: the latents, RMS-normed, attend to
 * {@code concat(normed context, normed latents)} with grouped-query attention (each key/value head serves
 * {@code resampler_n_heads / num_key_value_heads} query heads, the reference's {@code repeat_kv}) and padded patches
 * masked; then a SiLU-gated MLP of width 4·hidden; both residual.
 */
final class Idefics2PerceiverLayer {
    private final int hidden;
    private final int heads;
    private final int headDim;
    private final int kvHeads;
    private final double eps;
    private final float[] inputLatentsNorm;
    private final float[] inputContextNorm;
    private final float[] postAttentionLayernorm;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;
    private final Idefics2Mlp mlp;

    Idefics2PerceiverLayer(Idefics2PerceiverConfig c, Checkpoint ckpt, String prefix) {
        hidden = c.hiddenSize();
        heads = c.resamplerNHeads();
        headDim = c.resamplerHeadDim();
        kvHeads = c.numKeyValueHeads();
        eps = c.rmsNormEps();
        inputLatentsNorm = ckpt.floats(prefix + "input_latents_norm.weight", hidden);
        inputContextNorm = ckpt.floats(prefix + "input_context_norm.weight", hidden);
        postAttentionLayernorm = ckpt.floats(prefix + "post_attention_layernorm.weight", hidden);
        qProj = Linear.load(ckpt, prefix + "self_attn.q_proj", hidden, heads * headDim, false);
        kProj = Linear.load(ckpt, prefix + "self_attn.k_proj", hidden, kvHeads * headDim, false);
        vProj = Linear.load(ckpt, prefix + "self_attn.v_proj", hidden, kvHeads * headDim, false);
        oProj = Linear.load(ckpt, prefix + "self_attn.o_proj", heads * headDim, hidden, false);
        mlp = new Idefics2Mlp(ckpt, prefix + "mlp.", hidden, 4 * hidden, hidden);
    }

    /**
     * Updates one image's {@code latents} ({@code [nLatents, hidden]}) in place from its {@code context}
     * ({@code [contextLen, hidden]}, left as is). {@code keyValid} covers the context then the latents
     * ({@code contextLen + nLatents} entries; null: all valid).
     */
    void forward(float[] latents, int nLatents, float[] context, int contextLen, boolean[] keyValid) {
        int kvLen = contextLen + nLatents;
        float[] kvIn = new float[kvLen * hidden];
        Ops.rmsNorm(context, 0, contextLen, hidden, inputContextNorm, eps, kvIn, 0);
        Ops.rmsNorm(latents, 0, nLatents, hidden, inputLatentsNorm, eps, kvIn, contextLen * hidden);
        float[] normedLatents = java.util.Arrays.copyOfRange(kvIn, contextLen * hidden, kvLen * hidden);
        float[] q = qProj.forward(normedLatents, nLatents);
        float[] k = kProj.forward(kvIn, kvLen);
        float[] v = vProj.forward(kvIn, kvLen);
        int qWidth = heads * headDim;
        int kvWidth = kvHeads * headDim;
        int groups = heads / kvHeads;
        float scale = (float) Math.pow(headDim, -0.5);
        float[] attn = new float[nLatents * qWidth];
        Parallel.forEach(heads, true, h -> {
            int kvOff = (h / groups) * headDim;
            Attention.attendHead(q, h * headDim, qWidth, k, kvOff, kvWidth, v, kvOff, kvWidth, nLatents, kvLen,
                    headDim, scale, null, keyValid, attn, h * headDim, qWidth);
        });
        Ops.addInPlace(latents, oProj.forward(attn, nLatents), nLatents * hidden);
        float[] x = new float[nLatents * hidden];
        Ops.rmsNorm(latents, 0, nLatents, hidden, postAttentionLayernorm, eps, x, 0);
        Ops.addInPlace(latents, mlp.forward(x, nLatents), nLatents * hidden);
    }
}
