package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;

/**
 * LlamaModel without its embedding: the {@link LlamaDecoderLayer}s and the final RMSNorm. The family embeds the
 * tokens (IDEFICS v1 with its decoupled embedding, Idefics3 with image states in place of the {@code <image>}
 * tokens) and may run a block of its own before any layer (IDEFICS v1's gated cross-attention).
 */
public final class LlamaDecoder {
    private final LlamaConfig config;
    private final LlamaDecoderLayer[] layers;
    private final RmsNorm norm;

    /** Runs before decoder layer {@code layer} on the hidden states {@code h} [rows·tokens, hidden]. */
    @FunctionalInterface
    public interface BeforeLayer {
        void run(int layer, float[] h);
    }

    /**
     * @param prefix the text model's weight names: {@code model.} (layers under {@code model.layers.}, the norm
     *               {@code model.norm}) or {@code model.text_model.}
     */
    public LlamaDecoder(LlamaConfig config, Checkpoint ckpt, String prefix) {
        this.config = config;
        RotaryEmbedding rotary = RotaryEmbedding.of(config);
        layers = new LlamaDecoderLayer[config.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new LlamaDecoderLayer(config, ckpt, prefix + "layers." + i + ".", i, rotary);
        }
        norm = RmsNorm.load(ckpt, prefix + "norm", config.hiddenSize(), config.rmsNormEps());
    }

    public LlamaConfig config() {
        return config;
    }

    /** A cache for {@code rows} sequences: kv_heads·head_dim per layer and position, float32 or bfloat16. */
    public KvCache newCache(int rows, int capacity, boolean bf16) {
        return new KvCache(cacheLayout(bf16), rows, capacity);
    }

    /** What {@link #newCache} holds per sequence and position. */
    public KvCache.Layout cacheLayout(boolean bf16) {
        return new KvCache.Layout(layers.length, config.numKeyValueHeads(), config.headDim(), bf16);
    }

    /** Bytes of weights one token reads in every layer. */
    public long streamedBytes() {
        long total = 0;
        for (LlamaDecoderLayer l : layers) {
            total += l.streamedBytes();
        }
        return total;
    }

    /**
     * Runs the batch's new tokens through every layer and the final norm, then counts them as cached.
     *
     * @param h      the embedded tokens [rows·tokens, hidden], updated in place up to the last layer's output
     * @param before run before each layer, or null
     * @param trace  receives {@code decoder_layer_<i>} and {@code last_hidden_state}, or null
     * @return the normed hidden states [rows·tokens, hidden]
     */
    public float[] forward(float[] h, DecoderBatch batch, BeforeLayer before, ForwardTrace trace) {
        int rows = batch.rows();
        int tokens = batch.tokens();
        int hidden = config.hiddenSize();
        for (int i = 0; i < layers.length; i++) {
            if (before != null) {
                before.run(i, h);
            }
            layers[i].forward(h, batch);
            if (trace != null) {
                trace.record("decoder_layer_" + i, h.clone(), rows, tokens, hidden);
            }
        }
        batch.advance();
        float[] normed = norm.forward(h, rows * tokens);
        if (trace != null) {
            trace.record("last_hidden_state", normed.clone(), rows, tokens, hidden);
        }
        return normed;
    }
}
