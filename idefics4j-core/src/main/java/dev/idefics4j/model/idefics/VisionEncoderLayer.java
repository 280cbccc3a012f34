package dev.idefics4j.model.idefics;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.EncoderLayerScratch;
import dev.idefics4j.model.LayerNorm;
import dev.idefics4j.model.Linear;
import dev.idefics4j.tensor.HeadAttention;
import dev.idefics4j.tensor.Ops;
import dev.idefics4j.tensor.Parallel;

/** IdeficsVisionEncoderLayer (CLIP): {@code h += attn(ln1(h)); h += fc2(gelu(fc1(ln2(h))))}. */
public final class VisionEncoderLayer {
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
    /** The arithmetic of the projections (float32, or bf16 dot products in the bf16-dot format). */
    private final HeadAttention attention;

    public VisionEncoderLayer(VisionConfig c, Checkpoint ckpt, String prefix) {
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
        attention = HeadAttention.matching(kProj.weight());
    }

    /** One layer on a buffer set of its own (benchmarks, single calls). */
    public float[] forward(float[] h, int tokens) {
        return forward(h, tokens, new EncoderLayerScratch(tokens, embed, fc1.out()));
    }

    /**
     * {@code h} updated in place. The intermediate tensors go into {@code scratch}, which the tower reuses for all
     * its layers: fresh arrays per layer made about 1 GB of garbage per image, zeroed on allocation and collected
     * every other image (together a tenth of an image's time with bf16 dot products).
     */
    float[] forward(float[] h, int tokens, EncoderLayerScratch scratch) {
        float[] x = scratch.x;
        layerNorm1.forward(h, tokens, x);
        float[] q = scratch.q;
        float[] k = scratch.k;
        float[] v = scratch.v;
        qProj.forward(x, tokens, q);
        kProj.forward(x, tokens, k);
        vProj.forward(x, tokens, v);
        float scale = (float) Math.pow(headDim, -0.5);
        // CLIP scales the projected queries (bias included) before the product.
        Ops.scale(q, 0, tokens * embed, scale);
        float[] attn = scratch.attn;
        Parallel.forEach(heads, true, hd -> {
            int off = hd * headDim;
            attention.attendHead(q, off, embed, k, off, embed, v, off, embed, tokens, tokens, headDim, 1f,
                    null, null, attn, off, embed);
        });
        float[] o = scratch.q; // the queries are spent
        outProj.forward(attn, tokens, o);
        Ops.addInPlace(h, o, tokens * embed);
        layerNorm2.forward(h, tokens, x);
        float[] mid = scratch.mid;
        fc1.forward(x, tokens, mid);
        Ops.gelu(mid, tokens * fc1.out());
        float[] down = scratch.k; // the keys are spent
        fc2.forward(mid, tokens, down);
        Ops.addInPlace(h, down, tokens * embed);
        return h;
    }
}
