package dev.idefics4j.model;

import dev.idefics4j.checkpoint.ConfigReader;

/**
 * LlamaConfig: the text decoder every family runs (IDEFICS v1's LLaMA, Idefics2's Mistral, Idefics3's Llama 3 and
 * SmolLM2). Grouped-query attention has {@code numKeyValueHeads} below {@code numAttentionHeads}, each key/value head
 * serving {@code numAttentionHeads / numKeyValueHeads} query heads; {@code headDim} need not be
 * {@code hiddenSize / numAttentionHeads}.
 *
 * @param ropeScaling null for plain rotary embeddings
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                          int numAttentionHeads, int numKeyValueHeads, int headDim, double rmsNormEps,
                          double ropeTheta, RopeScaling ropeScaling, int maxPositionEmbeddings,
                          boolean tieWordEmbeddings) {

    public LlamaConfig {
        if (numKeyValueHeads <= 0 || numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numAttentionHeads + ") must be a multiple of "
                    + "num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
    }

    /** This config with {@code tie_word_embeddings} as the wrapping model's config decides it. */
    public LlamaConfig withTieWordEmbeddings(boolean value) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, value);
    }

    /** Query heads per key/value head. */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Width of the queries and of the attention output: heads · head_dim. */
    public int queryDim() {
        return numAttentionHeads * headDim;
    }

    /** Width of the keys and of the values: kv heads · head_dim. */
    public int keyValueDim() {
        return numKeyValueHeads * headDim;
    }

    /**
     * Reads a text config with LlamaConfig's defaults for absent fields: {@code num_key_value_heads} defaults to
     * {@code num_attention_heads}, {@code head_dim} to {@code hidden_size / num_attention_heads}. Activations other
     * than SiLU and biased projections are rejected by name.
     */
    public static LlamaConfig read(ConfigReader r) {
        r.string("hidden_act", "silu", "silu");
        for (String bias : new String[]{"attention_bias", "mlp_bias"}) {
            if (r.bool(bias, false)) {
                throw r.error(bias, "is true; idefics4j runs decoders without biases in their projections");
            }
        }
        int hidden = r.positiveInt("hidden_size", 4096);
        int heads = r.positiveInt("num_attention_heads", 32);
        if (!r.has("head_dim") && hidden % heads != 0) {
            throw r.error("hidden_size", "(" + hidden + ") must be divisible by num_attention_heads (" + heads
                    + ") when head_dim is not given");
        }
        int kvHeads = r.positiveInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw r.error("num_key_value_heads", "(" + kvHeads + ") must divide num_attention_heads (" + heads + ")");
        }
        int headDim = r.positiveInt("head_dim", hidden / heads);
        if (headDim % 2 != 0) {
            throw r.error("head_dim", "must be even for rotary embeddings, got " + headDim);
        }
        return new LlamaConfig(
                r.positiveInt("vocab_size", 32000),
                hidden,
                r.positiveInt("intermediate_size", 11008),
                r.positiveInt("num_hidden_layers", 32),
                heads, kvHeads, headDim,
                r.positiveDouble("rms_norm_eps", 1e-6),
                r.positiveDouble("rope_theta", 10000.0),
                RopeScaling.read(r),
                r.positiveInt("max_position_embeddings", 2048),
                r.bool("tie_word_embeddings", false));
    }
}
