package dev.idefics4j.model.idefics;

import dev.idefics4j.checkpoint.ConfigReader;

/** IdeficsVisionConfig: the CLIP-style ViT. Defaults are the reference's (ViT-H/14 at 224 px). */
public record VisionConfig(int embedDim, int imageSize, int intermediateSize, int patchSize, int numHiddenLayers,
                           int numAttentionHeads, int numChannels, String hiddenAct, double layerNormEps) {

    public int numPatches() {
        return (imageSize / patchSize) * (imageSize / patchSize);
    }

    /** Tokens per image out of the vision tower: the class token plus one per patch. */
    public int numPositions() {
        return numPatches() + 1;
    }

    public int headDim() {
        return embedDim / numAttentionHeads;
    }

    static VisionConfig read(ConfigReader r) {
        VisionConfig c = new VisionConfig(
                r.positiveInt("embed_dim", 768),
                r.positiveInt("image_size", 224),
                r.positiveInt("intermediate_size", 5120),
                r.positiveInt("patch_size", 14),
                r.positiveInt("num_hidden_layers", 32),
                r.positiveInt("num_attention_heads", 16),
                r.positiveInt("num_channels", 3),
                r.string("hidden_act", "gelu", "gelu"),
                r.positiveDouble("layer_norm_eps", 1e-5));
        if (c.embedDim % c.numAttentionHeads != 0) {
            throw r.error("embed_dim", "(" + c.embedDim + ") must be divisible by vision_config.num_attention_heads ("
                    + c.numAttentionHeads + ")");
        }
        if (c.imageSize % c.patchSize != 0) {
            throw r.error("image_size", "(" + c.imageSize + ") must be a multiple of vision_config.patch_size ("
                    + c.patchSize + ")");
        }
        return c;
    }
}
