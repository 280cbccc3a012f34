package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.model.SiglipVisionConfig;

import java.nio.file.Path;

/**
 * Idefics3Config as transformers 4.46 reads a checkpoint's {@code config.json} (Idefics3 and SmolVLM):
 * {@code text_config} as a LlamaConfig (absent: LlamaConfig's defaults with {@code rms_norm_eps} 1e-5),
 * {@code vision_config} as Idefics3VisionConfig, {@code scale_factor} (default 2), {@code image_token_id} (default
 * 128257). The lm head is tied to the token embedding when the top-level {@code tie_word_embeddings} says so (default
 * false; the text config's own flag is not read, as Idefics3ForConditionalGeneration.tie_weights reads the top level).
 * A top-level {@code vocab_size} is not read by the reference's model; one that contradicts
 * {@code text_config.vocab_size}, which sizes the embedding and the head, is refused.
 *
 * @param textConfig  the decoder, its {@code tieWordEmbeddings} the top-level value
 * @param scaleFactor the connector's pixel shuffle: s×s patch states become one token
 */
public record Idefics3Config(LlamaConfig textConfig, SiglipVisionConfig visionConfig, int scaleFactor,
                             int imageTokenId) {

    public static final int DEFAULT_SCALE_FACTOR = 2;
    public static final int DEFAULT_IMAGE_TOKEN_ID = 128257;
    /** Idefics3Config's text config when none is given: LlamaConfig() with this rms_norm_eps. */
    private static final double DEFAULT_TEXT_RMS_NORM_EPS = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean tieWordEmbeddings() {
        return textConfig.tieWordEmbeddings();
    }

    public int vocabSize() {
        return textConfig.vocabSize();
    }

    /**
     * Image tokens one tile (or unsplit image) becomes: {@code (image_size / patch_size)² / scale_factor²}, the
     * processor's image_seq_len.
     */
    public int imageSeqLen() {
        int side = visionConfig.numPatchesPerSide() / scaleFactor;
        return side * side;
    }

    /** Width of a connector token before its projection: {@code vision hidden_size · scale_factor²}. */
    public int connectorInputDim() {
        return visionConfig.hiddenSize() * scaleFactor * scaleFactor;
    }

    public static Idefics3Config load(Path configJson) {
        return parse(configJson.toString(), ConfigReader.readConfigJson(configJson));
    }

    /** Reads a parsed config.json; {@code file} names it in errors. */
    public static Idefics3Config parse(String file, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + ": expected a JSON object");
        }
        ConfigReader r = new ConfigReader(file, root);
        r.string("model_type", "idefics3", "idefics3");
        ConfigReader text = r.object("text_config");
        if (text == null) {
            ObjectNode defaults = JSON.createObjectNode().put("rms_norm_eps", DEFAULT_TEXT_RMS_NORM_EPS);
            text = new ConfigReader(file + " (text_config)", defaults);
        }
        text.string("model_type", "llama", "llama");
        LlamaConfig textConfig = LlamaConfig.read(text).withTieWordEmbeddings(r.bool("tie_word_embeddings", false));
        if (r.has("vocab_size") && r.positiveInt("vocab_size", 1) != textConfig.vocabSize()) {
            throw r.error("vocab_size", "(" + r.positiveInt("vocab_size", 1) + ") contradicts text_config.vocab_size ("
                    + textConfig.vocabSize() + "), which sizes the token embedding and the lm head");
        }
        SiglipVisionConfig vision = SiglipVisionConfig.read(file, root.get("vision_config"),
                SiglipVisionConfig.IDEFICS3_DEFAULTS);
        int scale = r.positiveInt("scale_factor", DEFAULT_SCALE_FACTOR);
        if (vision.numPatchesPerSide() % scale != 0) {
            throw r.error("scale_factor", "(" + scale + ") must divide the " + vision.numPatchesPerSide()
                    + " patches per side (vision_config image_size " + vision.imageSize() + " / patch_size "
                    + vision.patchSize() + ") for the connector's pixel shuffle");
        }
        int imageTokenId = r.intValue("image_token_id", DEFAULT_IMAGE_TOKEN_ID);
        if (imageTokenId < 0 || imageTokenId >= textConfig.vocabSize()) {
            throw r.error("image_token_id", "(" + imageTokenId + ") is outside the vocabulary [0, "
                    + textConfig.vocabSize() + ")");
        }
        return new Idefics3Config(textConfig, vision, scale, imageTokenId);
    }
}
