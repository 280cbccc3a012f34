package dev.idefics4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.ConfigReader;

/**
 * The SigLIP vision tower of Idefics2 and Idefics3 ({@code Idefics2VisionConfig}, {@code Idefics3VisionConfig}):
 * read from {@code config.json}'s {@code vision_config}, absent fields taking the family's reference defaults
 * ({@link #IDEFICS2_DEFAULTS}, {@link #IDEFICS3_DEFAULTS}).
 */
public record SiglipVisionConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                                 int numChannels, int imageSize, int patchSize, String hiddenAct,
                                 double layerNormEps) {

    /** The tanh approximation of GELU, the only activation the published SigLIP towers use. */
    public static final String GELU_PYTORCH_TANH = "gelu_pytorch_tanh";
    /** Idefics2VisionConfig's defaults (transformers 4.46). */
    public static final SiglipVisionConfig IDEFICS2_DEFAULTS =
            new SiglipVisionConfig(768, 3072, 12, 12, 3, 224, 32, GELU_PYTORCH_TANH, 1e-6);
    /** Idefics3VisionConfig's defaults (transformers 4.46). */
    public static final SiglipVisionConfig IDEFICS3_DEFAULTS =
            new SiglipVisionConfig(1152, 3072, 12, 16, 3, 224, 32, GELU_PYTORCH_TANH, 1e-6);

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Position embeddings per side: {@code image_size // patch_size}, the grid the NaViT positions are bucketed into. */
    public int numPatchesPerSide() {
        return imageSize / patchSize;
    }

    /** Rows of the position embedding. */
    public int numPositions() {
        return numPatchesPerSide() * numPatchesPerSide();
    }

    /**
     * Reads {@code vision_config} (a JSON object, or null for all defaults) of the config file {@code file} (named in
     * errors).
     */
    public static SiglipVisionConfig read(String file, JsonNode visionConfig, SiglipVisionConfig defaults) {
        ConfigReader r = new ConfigReader(file + " (vision_config)", visionConfig, null, "");
        SiglipVisionConfig c = new SiglipVisionConfig(
                r.positiveInt("hidden_size", defaults.hiddenSize),
                r.positiveInt("intermediate_size", defaults.intermediateSize),
                r.positiveInt("num_hidden_layers", defaults.numHiddenLayers),
                r.positiveInt("num_attention_heads", defaults.numAttentionHeads),
                r.positiveInt("num_channels", defaults.numChannels),
                r.positiveInt("image_size", defaults.imageSize),
                r.positiveInt("patch_size", defaults.patchSize),
                r.string("hidden_act", defaults.hiddenAct, GELU_PYTORCH_TANH),
                r.positiveDouble("layer_norm_eps", defaults.layerNormEps));
        if (c.hiddenSize % c.numAttentionHeads != 0) {
            throw r.error("num_attention_heads", "(" + c.numAttentionHeads + ") must divide vision_config.hidden_size ("
                    + c.hiddenSize + ")");
        }
        if (c.patchSize > c.imageSize) {
            throw r.error("patch_size", "(" + c.patchSize + ") is larger than vision_config.image_size ("
                    + c.imageSize + "): the tower would have no position embeddings");
        }
        return c;
    }
}
