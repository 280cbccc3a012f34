package dev.idefics4j.model.idefics;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.LayerNorm;
import dev.idefics4j.model.Linear;
import dev.idefics4j.tensor.Attention;
import dev.idefics4j.tensor.Ops;
import dev.idefics4j.tensor.Parallel;

/**
 * IdeficsPerceiverResampler: a fixed set of learned latents attends to {@code concat(context, latents)} through
 * {@code depth} blocks of attention + ReLU MLP, then a final LayerNorm; each image becomes {@code n_latents} states.
 */
public final class PerceiverResampler {
    private static final double EPS = 1e-5;
    private final int embed;
    private final int nLatents;
    private final int heads;
    private final int headDim;
    private final float[] latents;
    private final Block[] blocks;
    private final LayerNorm layerNorm;

    PerceiverResampler(PerceiverConfig c, int embed, Checkpoint ckpt, String prefix) {
        this.embed = embed;
        this.nLatents = c.resamplerNLatents();
        this.heads = c.resamplerNHeads();
        this.headDim = c.resamplerHeadDim();
        latents = ckpt.floats(prefix + "latents", nLatents, embed);
        blocks = new Block[c.resamplerDepth()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new Block(ckpt, prefix + "blocks." + i + ".", c.qkLayerNormsPerceiver());
        }
        layerNorm = LayerNorm.load(ckpt, prefix + "layer_norm", embed, EPS);
    }

    public int numLatents() {
        return nLatents;
    }

    /** Resamples {@code count} contexts of {@code contextLen} states each into [count, n_latents, embed]. */
    public float[] forward(float[] context, int count, int contextLen) {
        float[] out = new float[count * nLatents * embed];
        Parallel.forEach(count, count > 1, i -> {
            float[] ctx = new float[contextLen * embed];
            System.arraycopy(context, i * contextLen * embed, ctx, 0, ctx.length);
            float[] lat = latents.clone();
            for (Block b : blocks) {
                b.forward(ctx, contextLen, lat);
            }
            layerNorm.forwardInPlace(lat, nLatents);
            System.arraycopy(lat, 0, out, i * nLatents * embed, lat.length);
        });
        return out;
    }

    /** One (IdeficsPerceiverAttention, IdeficsMLP) pair, both residual. */
    private final class Block {
        private final LayerNorm contextLayerNorm;
        private final LayerNorm latentsLayerNorm;
        private final LayerNorm qLayerNorm;
        private final LayerNorm kLayerNorm;
        private final Linear qProj;
        private final Linear kProj;
        private final Linear vProj;
        private final Linear outputProj;
        private final LayerNorm mlpLn;
        private final Linear fc;
        private final Linear cProj;

        Block(Checkpoint ckpt, String p, boolean qkNorms) {
            int inner = heads * headDim;
            contextLayerNorm = LayerNorm.load(ckpt, p + "0.context_layer_norm", embed, EPS);
            latentsLayerNorm = LayerNorm.load(ckpt, p + "0.latents_layer_norm", embed, EPS);
            qLayerNorm = qkNorms ? LayerNorm.load(ckpt, p + "0.q_layer_norm", headDim, EPS) : null;
            kLayerNorm = qkNorms ? LayerNorm.load(ckpt, p + "0.k_layer_norm", headDim, EPS) : null;
            qProj = Linear.load(ckpt, p + "0.q_proj", embed, inner, false);
            kProj = Linear.load(ckpt, p + "0.k_proj", embed, inner, false);
            vProj = Linear.load(ckpt, p + "0.v_proj", embed, inner, false);
            outputProj = Linear.load(ckpt, p + "0.output_proj", inner, embed, false);
            mlpLn = LayerNorm.load(ckpt, p + "1.ln", embed, EPS);
            fc = Linear.load(ckpt, p + "1.fc", embed, 4 * embed, false);
            cProj = Linear.load(ckpt, p + "1.c_proj", 4 * embed, embed, false);
        }

        void forward(float[] context, int contextLen, float[] lat) {
            int inner = heads * headDim;
            int kvLen = contextLen + nLatents;
            float[] kvIn = new float[kvLen * embed];
            Ops.layerNorm(context, contextLen, embed, contextLayerNorm.weight(), contextLayerNorm.bias(),
                    EPS, kvIn);
            float[] latNorm = latentsLayerNorm.forward(lat, nLatents);
            System.arraycopy(latNorm, 0, kvIn, contextLen * embed, nLatents * embed);
            float[] q = qProj.forward(latNorm, nLatents);
            float[] k = kProj.forward(kvIn, kvLen);
            float[] v = vProj.forward(kvIn, kvLen);
            if (qLayerNorm != null) {
                qLayerNorm.forwardInPlace(q, nLatents * heads);
                kLayerNorm.forwardInPlace(k, kvLen * heads);
            }
            float scale = (float) Math.pow(headDim, -0.5);
            for (int i = 0; i < q.length; i++) {
                q[i] *= scale;
            }
            float[] attn = new float[nLatents * inner];
            Parallel.forEach(heads, true, h -> {
                int off = h * headDim;
                Attention.attendHead(q, off, inner, k, off, inner, v, off, inner, nLatents, kvLen, headDim, 1f,
                        null, null, attn, off, inner);
            });
            float[] o = outputProj.forward(attn, nLatents);
            Ops.addInPlace(lat, o, lat.length);
            float[] y = mlpLn.forward(lat, nLatents);
            float[] mid = fc.forward(y, nLatents);
            Ops.relu(mid, mid.length);
            float[] down = cProj.forward(mid, nLatents);
            Ops.addInPlace(lat, down, lat.length);
        }
    }
}
