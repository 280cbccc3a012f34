package dev.idefics4j.model.idefics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.request.JsonErrors;

import java.nio.file.Path;

/**
 * IdeficsConfig as read from a checkpoint's {@code config.json}: absent fields take the reference defaults, unknown
 * fields are ignored (as the reference does), and values that contradict each other are rejected by name.
 * Early hub revisions keep the vision and perceiver settings as flat top-level keys ({@code vision_embed_dim},
 * {@code resampler_depth}, ...); those are read when the nested objects are absent.
 */
public record IdeficsConfig(int vocabSize, int additionalVocabSize, int hiddenSize, int intermediateSize,
                            int numHiddenLayers, int numAttentionHeads, String hiddenAct, String alphaType,
                            double rmsNormEps, int padTokenId, int bosTokenId, int eosTokenId,
                            boolean tieWordEmbeddings, int crossLayerInterval, boolean qkLayerNorms,
                            boolean useResampler, int maxPositionEmbeddings, String torchDtype,
                            VisionConfig visionConfig, PerceiverConfig perceiverConfig) {

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** The LLaMA decoder: full multi-head attention, rotary base 10000, the base vocabulary (added tokens apart). */
    public LlamaConfig textConfig() {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numAttentionHeads, headDim(), rmsNormEps, 10000.0, null, maxPositionEmbeddings, tieWordEmbeddings);
    }

    /** Number of gated cross-attention blocks: one before every {@code cross_layer_interval}-th decoder layer. */
    public int numCrossLayers() {
        return numHiddenLayers / crossLayerInterval;
    }

    /** Total vocabulary the model can emit: the LLaMA vocabulary plus the decoupled added tokens. */
    public int totalVocabSize() {
        return vocabSize + additionalVocabSize;
    }

    /** Image states per image as the cross-attention sees them. */
    public int imageSeqLen() {
        return useResampler ? perceiverConfig.resamplerNLatents() : visionConfig.numPositions();
    }

    public static IdeficsConfig load(Path configJson) {
        return parse(configJson.toString(), ConfigReader.readConfigJson(configJson));
    }

    public static IdeficsConfig parse(String file, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + ": expected a JSON object");
        }
        String modelType = root.path("model_type").asText("idefics");
        if (!modelType.equals("idefics")) {
            throw new CheckpointException(file + ": field 'model_type' is \"" + modelType
                    + "\"; idefics4j runs IDEFICS checkpoints (model_type \"idefics\")");
        }
        ConfigReader r = new ConfigReader(file, root, null, "");
        VisionConfig vision = VisionConfig.read(
                new ConfigReader(file + " (vision_config)", root.get("vision_config"), root, "vision_"));
        PerceiverConfig perceiver = PerceiverConfig.read(
                new ConfigReader(file + " (perceiver_config)", root.get("perceiver_config"), root, ""));
        int eos = root.path("eos_token_id").isArray()
                ? root.get("eos_token_id").path(0).asInt(2) : r.intValue("eos_token_id", 2);
        IdeficsConfig c = new IdeficsConfig(
                r.positiveInt("vocab_size", 32000),
                r.intValue("additional_vocab_size", 0),
                r.positiveInt("hidden_size", 4096),
                r.positiveInt("intermediate_size", 11008),
                r.positiveInt("num_hidden_layers", 32),
                r.positiveInt("num_attention_heads", 32),
                r.string("hidden_act", "silu", "silu"),
                r.string("alpha_type", "float", "float", "vector"),
                r.positiveDouble("rms_norm_eps", 1e-6),
                r.intValue("pad_token_id", 0),
                r.intValue("bos_token_id", 1),
                eos,
                r.bool("tie_word_embeddings", false),
                r.positiveInt("cross_layer_interval", 1),
                r.bool("qk_layer_norms", false),
                r.bool("use_resampler", false),
                r.positiveInt("max_position_embeddings", 2048),
                r.string("torch_dtype", "float32"),
                vision, perceiver);
        if (c.additionalVocabSize < 0) {
            throw r.error("additional_vocab_size", "must not be negative, got " + c.additionalVocabSize);
        }
        if (c.hiddenSize % c.numAttentionHeads != 0) {
            throw r.error("hidden_size", "(" + c.hiddenSize + ") must be divisible by num_attention_heads ("
                    + c.numAttentionHeads + ")");
        }
        if (c.headDim() % 2 != 0) {
            throw r.error("hidden_size", "/ num_attention_heads must be even for rotary embeddings, got "
                    + c.headDim());
        }
        if (c.numHiddenLayers % c.crossLayerInterval != 0) {
            // The reference builds num_hidden_layers // interval blocks but runs one before layers 0, k, 2k, ...
            throw r.error("cross_layer_interval", "(" + c.crossLayerInterval + ") must divide num_hidden_layers ("
                    + c.numHiddenLayers + "): a gated cross-attention block runs before every "
                    + c.crossLayerInterval + "-th layer");
        }
        return c;
    }
}
