package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.VisionConfig;
import dev.idefics4j.tensor.Attention;
import dev.idefics4j.tensor.Ops;
import dev.idefics4j.tensor.Parallel;

/** IdeficsVisionEncoderLayer (CLIP): {@code h += attn(ln1(h)); h += fc2(gelu(fc1(ln2(h))))}. */
final class VisionEncoderLayer {
    private final int embed;
    private final int heads;
    private final int headDim;
    private final LayerNorm layerNorm1;
    private final LayerNorm layerNorm2;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final Linear fc1;
    private final Linear fc2;

    VisionEncoderLayer(VisionConfig c, Checkpoint ckpt, String prefix) {
        embed = c.embedDim();
        heads = c.numAttentionHeads();
        headDim = c.headDim();
        layerNorm1 = LayerNorm.load(ckpt, prefix + "layer_norm1", embed, c.layerNormEps());
        layerNorm2 = LayerNorm.load(ckpt, prefix + "layer_norm2", embed, c.layerNormEps());
        qProj = Linear.load(ckpt, prefix + "self_attn.q_proj", embed, embed, true);
        kProj = Linear.load(ckpt, prefix + "self_attn.k_proj", embed, embed, true);
        vProj = Linear.load(ckpt, prefix + "self_attn.v_proj", embed, embed, true);
        outProj = Linear.load(ckpt, prefix + "self_attn.out_proj", embed, embed, true);
        fc1 = Linear.load(ckpt, prefix + "mlp.fc1", embed, c.intermediateSize(), true);
        fc2 = Linear.load(ckpt, prefix + "mlp.fc2", c.intermediateSize(), embed, true);
    }

    float[] forward(float[] h, int tokens) {
        float[] x = layerNorm1.forward(h, tokens);
        float[] q = qProj.forward(x, tokens);
        float[] k = kProj.forward(x, tokens);
        float[] v = vProj.forward(x, tokens);
        float scale = (float) Math.pow(headDim, -0.5);
        // CLIP scales the projected queries (bias included) before the product.
        for (int i = 0; i < q.length; i++) {
            q[i] *= scale;
        }
        float[] attn = new float[tokens * embed];
        Parallel.forEach(heads, true, hd -> {
            int off = hd * headDim;
            Attention.attendHead(q, off, embed, k, off, embed, v, off, embed, tokens, tokens, headDim, 1f,
                    null, null, attn, off, embed);
        });
        float[] o = outProj.forward(attn, tokens);
        Ops.addInPlace(h, o, h.length);
        float[] y = layerNorm2.forward(h, tokens);
        float[] mid = fc1.forward(y, tokens);
        Ops.gelu(mid, mid.length);
        float[] down = fc2.forward(mid, tokens);
        Ops.addInPlace(h, down, h.length);
        return h;
    }
}
