package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.tensor.HeadAttention;
import dev.idefics4j.tensor.Ops;
import dev.idefics4j.tensor.Parallel;

/**
 * A pre-LN vision encoder layer, {@code h += attn(ln1(h)); h += fc2(act(fc1(ln2(h))))}, as CLIP (IDEFICS v1's
 * IdeficsVisionEncoderLayer) and SigLIP (Idefics2EncoderLayer / Idefics3EncoderLayer) write it: the same weights
 * under the same names, different in the activation and where the head_dim^-0.5 scale applies ({@link Kind}).
 */
public final class VisionEncoderLayer {
    /** What differs between the two references, each kept in its own order of operations. */
    public enum Kind {
        /** Exact GELU; the projected queries (bias included) are scaled before the product. */
        CLIP,
        /** GELU's tanh approximation; the scores are scaled; padded patches may be masked as keys. */
        SIGLIP
    }

    private final Kind kind;
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

    /** Loads the layer whose weights are named {@code prefix + "layer_norm1"}, {@code "self_attn.*"}, {@code "mlp.*"}. */
    public VisionEncoderLayer(Kind kind, int embed, int heads, int intermediate, double layerNormEps, Checkpoint ckpt,
                              String prefix) {
        this.kind = kind;
        this.embed = embed;
        this.heads = heads;
        this.headDim = embed / heads;
        layerNorm1 = LayerNorm.load(ckpt, prefix + "layer_norm1", embed, layerNormEps);
        layerNorm2 = LayerNorm.load(ckpt, prefix + "layer_norm2", embed, layerNormEps);
        qProj = Linear.load(ckpt, prefix + "self_attn.q_proj", embed, embed, true);
        kProj = Linear.load(ckpt, prefix + "self_attn.k_proj", embed, embed, true);
        vProj = Linear.load(ckpt, prefix + "self_attn.v_proj", embed, embed, true);
        outProj = Linear.load(ckpt, prefix + "self_attn.out_proj", embed, embed, true);
        fc1 = Linear.load(ckpt, prefix + "mlp.fc1", embed, intermediate, true);
        fc2 = Linear.load(ckpt, prefix + "mlp.fc2", intermediate, embed, true);
        attention = HeadAttention.matching(kProj.weight());
    }

    /**
     * Updates one image's {@code h} ({@code [tokens, hidden]}) in place. {@code keyValid} masks padded patches as
     * keys (null: none padded); their own rows are still computed, from the valid patches, as the reference's
     * additive mask does. The intermediate tensors go into {@code scratch}, shared by all layers of the image.
     */
    public void forward(float[] h, int tokens, boolean[] keyValid, EncoderLayerScratch scratch) {
        float[] x = scratch.x;
        layerNorm1.forward(h, tokens, x);
        float[] q = scratch.q;
        float[] k = scratch.k;
        float[] v = scratch.v;
        qProj.forward(x, tokens, q);
        kProj.forward(x, tokens, k);
        vProj.forward(x, tokens, v);
        float scale = (float) Math.pow(headDim, -0.5);
        if (kind == Kind.CLIP) {
            Ops.scale(q, 0, tokens * embed, scale);
        }
        float scoreScale = kind == Kind.CLIP ? 1f : scale;
        float[] attn = scratch.attn;
        Parallel.forEach(heads, true, hd -> {
            int off = hd * headDim;
            attention.attendHead(q, off, embed, k, off, embed, v, off, embed, tokens, tokens, headDim, scoreScale,
                    null, keyValid, attn, off, embed);
        });
        float[] o = scratch.q; // the queries are spent
        outProj.forward(attn, tokens, o);
        Ops.addInPlace(h, o, tokens * embed);
        layerNorm2.forward(h, tokens, x);
        float[] mid = scratch.mid;
        fc1.forward(x, tokens, mid);
        if (kind == Kind.CLIP) {
            Ops.gelu(mid, tokens * fc1.out());
        } else {
            Ops.geluTanh(mid, tokens * fc1.out());
        }
        float[] down = scratch.k; // the keys are spent
        fc2.forward(mid, tokens, down);
        Ops.addInPlace(h, down, tokens * embed);
    }
}
