package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.model.SiglipVisionConfig;
import dev.idefics4j.model.LlamaConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Idefics2Config as transformers 4.46 reads {@code config.json}: {@code text_config} (a MistralConfig unless its
 * {@code model_type} says {@code llama}), {@code vision_config} (Idefics2VisionConfig), {@code perceiver_config},
 * {@code image_token_id} and the top-level {@code tie_word_embeddings}, which alone decides whether the lm head is
 * the token embedding (Idefics2ForConditionalGeneration ties on it; the text config's own flag has no head to tie).
 *
 * @param textConfig    the text decoder; its {@code tieWordEmbeddings} is the top-level flag
 * @param slidingWindow Mistral's {@code sliding_window}, null for none (a llama text model, or an explicit null)
 * @param padTokenId    the text config's {@code pad_token_id}, null for none
 */
public record Idefics2Config(LlamaConfig textConfig, Integer slidingWindow, SiglipVisionConfig visionConfig,
                             Idefics2PerceiverConfig perceiverConfig, int imageTokenId, int bosTokenId,
                             int eosTokenId, Integer padTokenId) {

    /** Idefics2Config's text model when {@code text_config} is absent: Mistral with these in place of its defaults. */
    private static final String DEFAULT_TEXT_CONFIG = """
            {"model_type": "mistral", "max_position_embeddings": 32768, "rms_norm_eps": 1e-5, "pad_token_id": 0,
             "tie_word_embeddings": false}""";

    /** MistralConfig's defaults (transformers 4.46) where they differ from LlamaConfig's or are Mistral's own. */
    private static final String MISTRAL_DEFAULTS = """
            {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
             "num_attention_heads": 32, "num_key_value_heads": 8, "max_position_embeddings": 131072,
             "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "sliding_window": 4096, "bos_token_id": 1,
             "eos_token_id": 2}""";

    /** Reads a checkpoint's config.json. */
    public static Idefics2Config load(Path file) {
        try {
            return parse(file.toString(), new ObjectMapper().readTree(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": file not found", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    /** Reads a parsed config.json; {@code file} names it in errors. */
    public static Idefics2Config parse(String file, JsonNode root) {
        ConfigReader r = new ConfigReader(file, root);
        r.string("model_type", "idefics2", "idefics2");
        JsonNode text = textConfig(r);
        ConfigReader t = new ConfigReader(file + " (text_config)", text);
        LlamaConfig read = LlamaConfig.read(t);
        LlamaConfig textConfig = new LlamaConfig(read.vocabSize(), read.hiddenSize(), read.intermediateSize(),
                read.numHiddenLayers(), read.numAttentionHeads(), read.numKeyValueHeads(), read.headDim(),
                read.rmsNormEps(), read.ropeTheta(), read.ropeScaling(), read.maxPositionEmbeddings(),
                r.bool("tie_word_embeddings", false));
        JsonNode window = text.get("sliding_window");
        Integer slidingWindow = window == null || window.isNull() ? null : t.positiveInt("sliding_window", 4096);
        // Not checked against the vocabulary: Idefics2Config's own defaults (32001 of 32000 tokens) would fail.
        int imageTokenId = r.intValue("image_token_id", 32001);
        JsonNode pad = text.get("pad_token_id");
        return new Idefics2Config(textConfig, slidingWindow,
                SiglipVisionConfig.read(file, root.get("vision_config"), SiglipVisionConfig.IDEFICS2_DEFAULTS),
                Idefics2PerceiverConfig.read(file, root.get("perceiver_config"), textConfig.hiddenSize(),
                        textConfig.rmsNormEps()),
                imageTokenId, t.intValue("bos_token_id", 1), t.intValue("eos_token_id", 2),
                pad == null || pad.isNull() ? null : t.intValue("pad_token_id", 0));
    }

    /**
     * {@code text_config} with the defaults of its class filled in, so that {@link LlamaConfig#read} sees a
     * Mistral's: fields absent take MistralConfig's defaults; fields given as null keep LlamaConfig's rules
     * ({@code num_key_value_heads}: the attention heads, {@code head_dim}: hidden / heads), as MistralConfig's.
     * Mistral's rotary embedding of transformers 4.46 reads no {@code rope_scaling}, so one given is dropped.
     */
    private static JsonNode textConfig(ConfigReader r) {
        JsonNode given = r.get("text_config");
        if (given != null && !given.isObject()) {
            throw r.error("text_config", "must be an object, got " + given);
        }
        ObjectNode text = given == null ? defaultTextConfig() : ((ObjectNode) given).deepCopy();
        String type = text.path("model_type").asText("mistral");
        switch (type) {
            case "mistral" -> {
                for (var e : json(MISTRAL_DEFAULTS).properties()) {
                    if (!text.has(e.getKey())) {
                        text.set(e.getKey(), e.getValue());
                    }
                }
                text.remove("rope_scaling");
            }
            case "llama" -> text.putNull("sliding_window");
            default -> throw r.error("text_config", "has model_type \"" + type + "\"; idefics4j runs Idefics2 with "
                    + "a \"mistral\" or \"llama\" text model");
        }
        return text;
    }

    /** What Idefics2Config makes of an absent {@code text_config}. */
    static ObjectNode defaultTextConfig() {
        return json(DEFAULT_TEXT_CONFIG);
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many positions a sequence may hold: {@code max_position_embeddings}, or the sliding window if shorter. */
    public int maxPositions() {
        return slidingWindow == null ? textConfig.maxPositionEmbeddings()
                : Math.min(textConfig.maxPositionEmbeddings(), slidingWindow);
    }

    /** {@code <image>} tokens per image: the perceiver's latents. */
    public int imageSeqLen() {
        return perceiverConfig.resamplerNLatents();
    }
}
