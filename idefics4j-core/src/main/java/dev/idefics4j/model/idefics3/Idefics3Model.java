package dev.idefics4j.model.idefics3;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.model.DecoderBatch;
import dev.idefics4j.model.DecodingState;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.model.InputsMerger;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.LlamaDecoder;
import dev.idefics4j.model.LmHead;
import dev.idefics4j.model.SiglipVisionTransformer;
import dev.idefics4j.model.TokenEmbedding;
import dev.idefics4j.model.VisionBatch;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Idefics3ForConditionalGeneration (Idefics3, SmolVLM): the SigLIP tower encodes every real frame of the batch (the
 * all-zero padding frames dropped), the {@link Idefics3Connector} makes {@code image_seq_len} states of each, and
 * those states replace the embeddings of the prompts' {@code <image>} tokens in reading order; the LLaMA decoder, its
 * norm and the lm head (tied to the embedding when the config says so and the checkpoint has none) do the rest.
 * The images enter once, at prefill: later tokens see them only through the cache, so the decoding state keeps
 * nothing of the prompt ({@link DecodingState.PromptState#NONE}), and a generated {@code <image>} is an ordinary
 * token.
 */
public final class Idefics3Model implements VisionLanguageModel {
    private static final String VISION = "model.vision_model.";
    private static final String CONNECTOR = "model.connector.";
    private static final String TEXT = "model.text_model.";
    private static final String LM_HEAD = "lm_head.weight";

    private final Idefics3Config config;
    private final Checkpoint checkpoint;
    private final SiglipVisionTransformer visionModel;
    private final Idefics3Connector connector;
    private final TokenEmbedding embedTokens;
    private final LlamaDecoder textModel;
    private final LmHead lmHead;
    private final boolean bf16KvCache;

    private Idefics3Model(Idefics3Config config, Checkpoint ckpt, boolean bf16KvCache) {
        this.config = config;
        this.checkpoint = ckpt;
        this.bf16KvCache = bf16KvCache;
        visionModel = new SiglipVisionTransformer(config.visionConfig(), ckpt, VISION);
        try {
            connector = new Idefics3Connector(ckpt, CONNECTOR, config.visionConfig().hiddenSize(),
                    config.scaleFactor(), config.textConfig().hiddenSize());
        } catch (CheckpointException e) {
            throw new CheckpointException(e.getMessage() + " (the connector maps vision_config.hidden_size "
                    + config.visionConfig().hiddenSize() + " x scale_factor² " + config.scaleFactor()
                    * config.scaleFactor() + " to text_config.hidden_size " + config.textConfig().hiddenSize() + ")",
                    e);
        }
        embedTokens = TokenEmbedding.load(config.textConfig(), ckpt, TEXT + "embed_tokens.weight");
        textModel = new LlamaDecoder(config.textConfig(), ckpt, TEXT);
        lmHead = LmHead.load(config.textConfig(), ckpt, embedTokens, LM_HEAD);
        ckpt.checkAllUsed();
    }

    /** Loads a checkpoint folder with its weights as stored and a float32 cache. */
    public static Idefics3Model load(Path dir) {
        return load(dir, Checkpoint::weight, false);
    }

    /**
     * Loads a checkpoint folder; weights stay memory-mapped until {@link #close()}.
     *
     * @param linears     makes the linear layers' weights (of the tower, the connector and the decoder); the
     *                    embedding, the norms, the patch convolution and the lm head stay as stored
     * @param bf16KvCache keys and values cached as bfloat16 rather than float32
     */
    public static Idefics3Model load(Path dir, Checkpoint.LinearLoader linears, boolean bf16KvCache) {
        Idefics3Config config = Idefics3Config.load(dir.resolve("config.json"));
        return Checkpoint.build(dir, linears, ckpt -> new Idefics3Model(config, ckpt, bf16KvCache));
    }

    public Idefics3Config config() {
        return config;
    }

    @Override
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    @Override
    public int vocabSize() {
        return lmHead.vocabSize();
    }

    @Override
    public int maxPositionEmbeddings() {
        return config.textConfig().maxPositionEmbeddings();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_type", "idefics3");
        out.put("hidden_size", config.textConfig().hiddenSize());
        out.put("num_hidden_layers", config.textConfig().numHiddenLayers());
        out.put("num_key_value_heads", config.textConfig().numKeyValueHeads());
        out.put("tie_word_embeddings", config.tieWordEmbeddings());
        out.put("vision_layers", config.visionConfig().numHiddenLayers());
        out.put("vision_hidden_size", config.visionConfig().hiddenSize());
        out.put("scale_factor", config.scaleFactor());
        out.put("image_seq_len", config.imageSeqLen());
        return out;
    }

    /** Bytes of weights a decoding step reads once whatever the batch: every decoder layer and the lm head. */
    public long decodeWeightBytes() {
        return lmHead.byteSize() + textModel.streamedBytes();
    }

    /** Whether its caches hold keys and values as bfloat16 (as loaded), else float32. */
    public boolean bf16KvCache() {
        return bf16KvCache;
    }

    /** A cache for {@code rows} sequences, float32 or bfloat16 as loaded. */
    public KvCache newCache(int rows, int capacity) {
        return textModel.newCache(rows, capacity, bf16KvCache);
    }

    @Override
    public KvCache.Layout kvCacheLayout() {
        return textModel.cacheLayout(bf16KvCache);
    }

    @Override
    public Prefill prefill(ModelInputs inputs, int capacity) {
        KvCache cache = newCache(inputs.batchSize(), capacity);
        float[] logits = forward(inputs, cache, false, null);
        return new Prefill(new DecodingState(cache, DecodingState.PromptState.NONE), logits);
    }

    /**
     * Runs prompts into an empty cache: their images encoded and merged into the embeddings, rotary positions
     * counting each row's real tokens ({@code cumsum(attention_mask) - 1}, 1 for padding) as generation does.
     *
     * @param allPositions logits for every position, else for the last one of each row only
     * @param trace        receives {@code vision_*}, {@code connector_pixel_shuffle}, {@code image_hidden_states},
     *                     {@code merged_inputs_embeds}, {@code decoder_layer_<i>} and {@code last_hidden_state};
     *                     or null
     * @return logits, [rows, tokens or 1, vocab]
     */
    public float[] forward(ModelInputs inputs, KvCache cache, boolean allPositions, ForwardTrace trace) {
        if (cache.length() != 0 || cache.rows() != inputs.batchSize()) {
            throw new IllegalArgumentException("prompts run into an empty cache of " + inputs.batchSize()
                    + " rows; this one has " + cache.rows() + " rows and " + cache.length() + " positions");
        }
        int[][] ids = inputs.inputIds();
        int tokens = inputs.sequenceLength();
        float[] h = embedTokens.embed(ids);
        if (inputs.images() != null) {
            InputsMerger.merge(h, ids, encodeImages(imageInputs(inputs), trace), config.textConfig().hiddenSize(),
                    config.imageTokenId(), config.imageSeqLen());
        }
        if (trace != null) {
            trace.record("merged_inputs_embeds", h.clone(), ids.length, tokens, config.textConfig().hiddenSize());
        }
        return run(h, DecoderBatch.of(cache, inputs.attentionMask(), tokens), allPositions, trace);
    }

    /**
     * The image states of every real frame of the batch in order, [frames · image_seq_len, text hidden]: frames whose
     * pixel values are all 0.0 are padding and dropped; a patch counts as valid when any of its pixels is.
     */
    public float[] encodeImages(Idefics3ImageInputs images, ForwardTrace trace) {
        PixelBatch p = images.pixels();
        byte[] pixelMask = p.pixelAttentionMask();
        boolean[] mask = new boolean[pixelMask.length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = pixelMask[i] != 0;
        }
        VisionBatch batch = VisionBatch.of(p.pixelValues(), mask, p.batchSize() * p.maxImages(), 3, p.height(),
                p.width(), config.visionConfig().patchSize(), VisionBatch.PatchRule.ANY_PIXEL);
        if (batch.count() == 0) {
            return new float[0];
        }
        float[] vision = visionModel.forward(batch, trace);
        float[] states = connector.forward(vision, batch.count(), batch.patches(), trace);
        if (trace != null) {
            trace.record("image_hidden_states", states.clone(), batch.count(), connector.tokensFor(batch.patches()),
                    config.textConfig().hiddenSize());
        }
        return states;
    }

    private static Idefics3ImageInputs imageInputs(ModelInputs in) {
        if (in.images() instanceof Idefics3ImageInputs images) {
            return images;
        }
        throw new IllegalArgumentException("Idefics3 reads pixel_values with a pixel_attention_mask and tile grids "
                + "(Idefics3ImageInputs); these inputs hold " + in.images().getClass().getSimpleName()
                + ", from another family's processor");
    }

    @Override
    public float[] step(DecodingState state, int[][] inputIds, int[][] attentionMask, boolean allPositions) {
        requireOwnState(state);
        int rows = inputIds.length;
        if (rows != state.rows() || attentionMask.length != rows) {
            throw new IllegalArgumentException("batch rows disagree: input_ids " + rows + ", attention_mask "
                    + attentionMask.length + ", cache " + state.rows());
        }
        int tokens = rows == 0 ? 0 : inputIds[0].length;
        for (int[] row : inputIds) {
            if (row.length != tokens) {
                throw new IllegalArgumentException("input_ids rows have different lengths; pad the batch");
            }
        }
        return run(embedTokens.embed(inputIds), DecoderBatch.of(state.cache(), attentionMask, tokens), allPositions,
                null);
    }

    @Override
    public float[] stepSequences(List<DecodingState> states, int[] tokens, int[][] attentionMasks) {
        int n = states.size();
        if (n == 0 || tokens.length != n || attentionMasks.length != n) {
            throw new IllegalArgumentException("stepSequences needs one token and one attention mask per state; got "
                    + n + " states, " + tokens.length + " tokens and " + attentionMasks.length + " masks");
        }
        KvCache[] caches = new KvCache[n];
        int[][] ids = new int[n][];
        for (int i = 0; i < n; i++) {
            requireOwnState(states.get(i));
            caches[i] = states.get(i).cache();
            if (caches[i].rows() != 1) {
                throw new IllegalArgumentException("state " + i + " holds " + caches[i].rows() + " rows; "
                        + "stepSequences takes one-row states");
            }
            ids[i] = new int[]{tokens[i]};
        }
        return run(embedTokens.embed(ids), DecoderBatch.ofSequences(caches, attentionMasks), false, null);
    }

    private static void requireOwnState(DecodingState state) {
        if (state.prompt() != DecodingState.PromptState.NONE) {
            throw new IllegalArgumentException("this decoding state was made by a model of another family");
        }
    }

    /** The decoder, its norm and the head over the last position of each row, or every position. */
    private float[] run(float[] h, DecoderBatch batch, boolean allPositions, ForwardTrace trace) {
        float[] normed = textModel.forward(h, batch, null, trace);
        return lmHead.forward(normed, batch.rows(), batch.tokens(), allPositions);
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
