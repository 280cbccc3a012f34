package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.WeightLayout;
import dev.idefics4j.tensor.Parallel;

/**
 * Idefics2VisionTransformer / Idefics3VisionTransformer: the SigLIP tower of both families. Embeddings (patch
 * convolution with bias, NaViT-positioned position embeddings), pre-LN encoder layers over the patches with the
 * padded ones masked, then {@code post_layernorm}, which (unlike IDEFICS v1's CLIP tower) is applied. No class token:
 * an image of rows×cols patches becomes rows·cols states.
 */
public final class SiglipVisionTransformer {
    private final SiglipVisionConfig config;
    private final SiglipVisionEmbeddings embeddings;
    private final VisionEncoderLayer[] layers;
    private final LayerNorm postLayernorm;

    /** Loads the tower whose weights are named {@code prefix + "embeddings..."} ({@code "model.vision_model."}). */
    public SiglipVisionTransformer(SiglipVisionConfig config, Checkpoint ckpt, String prefix) {
        this.config = config;
        embeddings = new SiglipVisionEmbeddings(config, ckpt, prefix + "embeddings.");
        layers = new VisionEncoderLayer[config.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new VisionEncoderLayer(VisionEncoderLayer.Kind.SIGLIP, config.hiddenSize(),
                    config.numAttentionHeads(), config.intermediateSize(), config.layerNormEps(), ckpt,
                    prefix + "encoder.layers." + i + ".");
        }
        postLayernorm = LayerNorm.load(ckpt, prefix + "post_layernorm", config.hiddenSize(), config.layerNormEps());
    }

    /** The tower's tensors under {@code prefix} as the reference names and orders them (random checkpoints). */
    public static void weights(SiglipVisionConfig c, String prefix, WeightLayout out) {
        int e = c.hiddenSize();
        int p = c.patchSize();
        out.add(prefix + "embeddings.patch_embedding.weight", WeightLayout.Kind.LINEAR, e, c.numChannels(), p, p);
        out.add(prefix + "embeddings.patch_embedding.bias", WeightLayout.Kind.BIAS, e);
        out.add(prefix + "embeddings.position_embedding.weight", WeightLayout.Kind.EMBEDDING, c.numPositions(), e);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            out.encoderLayer(prefix + "encoder.layers." + i + ".", e, c.intermediateSize());
        }
        out.layerNorm(prefix + "post_layernorm", e);
    }

    public SiglipVisionConfig config() {
        return config;
    }

    /** The NaViT position ids of every patch of image {@code i} of {@code batch} ({@code [patches]}). */
    public int[] positionIds(VisionBatch batch, int i) {
        return embeddings.positions().ids(batch.patchMask(), i * batch.patches(), batch.patchRows(),
                batch.patchCols());
    }

    /**
     * Encodes the images of {@code batch} into {@code [batch.count(), batch.patches(), hidden]}. Images are
     * independent and run in parallel when there are several (each inside its kernels when alone). {@code trace}
     * (may be null) receives {@code vision_embeddings}, {@code vision_layer_<i>} and
     * {@code vision_last_hidden_state}, each {@code [count, patches, hidden]}.
     */
    public float[] forward(VisionBatch batch, ForwardTrace trace) {
        if (batch.channels() != config.numChannels() || batch.patchSize() != config.patchSize()) {
            throw new IllegalArgumentException("images of " + batch.channels() + " channels cut in patches of "
                    + batch.patchSize() + " for a vision tower of " + config.numChannels() + " channels and patches of "
                    + config.patchSize());
        }
        int count = batch.count();
        int patches = batch.patches();
        int e = config.hiddenSize();
        int size = patches * e;
        float[] out = new float[count * size];
        // Per stage (embeddings, each layer), the states of all images: kept only when traced.
        float[][] stages = trace == null ? null : new float[layers.length + 1][count * size];
        Parallel.forEach(count, count > 1, i -> {
            float[] h = new float[size];
            embeddings.forward(batch.pixels(), batch.pixelOffset(i), batch.height(), batch.width(),
                    positionIds(batch, i), h);
            boolean[] keyValid = batch.keyValid(i);
            EncoderLayerScratch scratch =
                    new EncoderLayerScratch(patches, e, config.intermediateSize());
            for (int l = 0; l < layers.length; l++) {
                if (stages != null) {
                    System.arraycopy(h, 0, stages[l], i * size, size);
                }
                layers[l].forward(h, patches, keyValid, scratch);
            }
            if (stages != null) {
                System.arraycopy(h, 0, stages[layers.length], i * size, size);
            }
            postLayernorm.forwardInPlace(h, patches);
            System.arraycopy(h, 0, out, i * size, size);
        });
        if (trace != null) {
            trace.record("vision_embeddings", stages[0], count, patches, e);
            for (int l = 0; l < layers.length; l++) {
                trace.record("vision_layer_" + l, stages[l + 1], count, patches, e);
            }
            trace.record("vision_last_hidden_state", out.clone(), count, patches, e);
        }
        return out;
    }
}
