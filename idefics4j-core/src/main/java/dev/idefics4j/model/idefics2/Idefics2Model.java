package dev.idefics4j.model.idefics2;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.model.DecoderBatch;
import dev.idefics4j.model.DecodingState;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.model.InputsMerger;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.LlamaConfig;
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
 * Idefics2ForConditionalGeneration: the SigLIP tower (its padding images dropped, a patch valid only when all its
 * pixels are) → {@link Idefics2Connector} (modality projection, perceiver resampler) → the image states replace the
 * embeddings of the {@code <image>} tokens in reading order → the Mistral decoder → RMSNorm → lm head. Images enter
 * only at the prefill, as the reference merges them only while the cache is empty; later tokens, a generated
 * {@code <image>} included, are plain text.
 *
 * <p>Mistral's sliding-window attention is not run: a sequence longer than {@code sliding_window} is refused (up to
 * that length full attention is what the window allows), and {@link #maxPositionEmbeddings} says so.
 */
public final class Idefics2Model implements VisionLanguageModel {
    private final Idefics2Config config;
    private final Checkpoint checkpoint;
    private final SiglipVisionTransformer visionModel;
    private final Idefics2Connector connector;
    private final TokenEmbedding embedTokens;
    private final LlamaDecoder textModel;
    private final LmHead lmHead;
    private volatile boolean bf16KvCache;

    private Idefics2Model(Idefics2Config config, Checkpoint ckpt) {
        this.config = config;
        this.checkpoint = ckpt;
        LlamaConfig text = config.textConfig();
        visionModel = new SiglipVisionTransformer(config.visionConfig(), ckpt, "model.vision_model.");
        connector = new Idefics2Connector(ckpt, "model.connector.", config.visionConfig().hiddenSize(),
                text.hiddenSize(), text.intermediateSize(), config.perceiverConfig());
        embedTokens = TokenEmbedding.load(text, ckpt, "model.text_model.embed_tokens.weight");
        textModel = new LlamaDecoder(text, ckpt, "model.text_model.");
        lmHead = LmHead.load(text, ckpt, embedTokens, "lm_head.weight");
        ckpt.checkAllUsed();
    }

    /**
     * Loads a checkpoint folder (config.json + safetensors) with linear-layer weights made by {@code linears}
     * (as stored, quantized while loading, or pre-quantized); the rest stays memory-mapped until {@link #close()}.
     */
    public static Idefics2Model load(Path dir, Checkpoint.LinearLoader linears) {
        Idefics2Config config = Idefics2Config.load(dir.resolve("config.json"));
        return Checkpoint.build(dir, linears, ckpt -> new Idefics2Model(config, ckpt));
    }

    public Idefics2Config config() {
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

    /** The positions a sequence may hold: {@code max_position_embeddings}, or {@code sliding_window} if shorter. */
    @Override
    public int maxPositionEmbeddings() {
        return config.maxPositions();
    }

    @Override
    public Map<String, Object> describe() {
        LlamaConfig text = config.textConfig();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_type", "idefics2");
        out.put("hidden_size", text.hiddenSize());
        out.put("num_hidden_layers", text.numHiddenLayers());
        out.put("num_attention_heads", text.numAttentionHeads());
        out.put("num_key_value_heads", text.numKeyValueHeads());
        out.put("vision_layers", config.visionConfig().numHiddenLayers());
        out.put("perceiver_layers", config.perceiverConfig().resamplerDepth());
        out.put("image_seq_len", config.imageSeqLen());
        return out;
    }

    /**
     * Whether caches made from now on hold keys and values as bfloat16 rather than float32 (the default, which the
     * parity with the reference needs).
     */
    public void setBf16KvCache(boolean value) {
        bf16KvCache = value;
    }

    public boolean bf16KvCache() {
        return bf16KvCache;
    }

    /** A cache for {@code rows} sequences of up to {@code capacity} positions (it grows beyond). */
    public KvCache newCache(int rows, int capacity) {
        return textModel.newCache(rows, capacity, bf16KvCache);
    }

    @Override
    public KvCache.Layout kvCacheLayout() {
        return textModel.cacheLayout(bf16KvCache);
    }

    /**
     * The image states of a processor batch: its real images (all-zero ones are padding) through the tower and the
     * connector, {@code [images, image_seq_len, hidden]} in batch order. {@code trace} (may be null) receives the
     * tower's and the connector's tensors and {@code image_hidden_states}.
     */
    public float[] encodeImages(PixelBatch pixels, ForwardTrace trace) {
        boolean[] mask = new boolean[pixels.pixelAttentionMask().length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = pixels.pixelAttentionMask()[i] != 0;
        }
        VisionBatch batch = VisionBatch.of(pixels.pixelValues(), mask, pixels.batchSize() * pixels.maxImages(), 3,
                pixels.height(), pixels.width(), config.visionConfig().patchSize(), VisionBatch.PatchRule.ALL_PIXELS);
        if (batch.count() == 0) {
            return new float[0];
        }
        float[] vision = visionModel.forward(batch, trace);
        float[] states = connector.forward(vision, batch.count(), batch.patches(), batch.patchMask(), trace);
        if (trace != null) {
            trace.record("image_hidden_states", states.clone(), batch.count(), connector.numLatents(),
                    config.textConfig().hiddenSize());
        }
        return states;
    }

    /** Encodes the inputs' images, if any, and runs the prompts into a fresh cache. */
    @Override
    public Prefill prefill(ModelInputs in, int capacity) {
        float[] images = in.images() == null ? null : encodeImages(imageInputs(in).pixels(), null);
        KvCache cache = newCache(in.batchSize(), capacity);
        float[] logits = forward(in.inputIds(), in.attentionMask(), images, cache, false, null);
        return new Prefill(new DecodingState(cache, DecodingState.PromptState.NONE), logits);
    }

    private static Idefics2ImageInputs imageInputs(ModelInputs in) {
        if (in.images() instanceof Idefics2ImageInputs images) {
            return images;
        }
        throw new IllegalArgumentException("Idefics2 reads pixel_values with a pixel_attention_mask "
                + "(Idefics2ImageInputs); these inputs hold " + in.images().getClass().getSimpleName()
                + ", from another family's processor");
    }

    @Override
    public float[] step(DecodingState state, int[][] inputIds, int[][] attentionMask, boolean allPositions) {
        requireOwn(state);
        return forward(inputIds, attentionMask, null, state.cache(), allPositions, null);
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
            requireOwn(states.get(i));
            caches[i] = states.get(i).cache();
            if (caches[i].rows() != 1) {
                throw new IllegalArgumentException("state " + i + " holds " + caches[i].rows()
                        + " rows; stepSequences takes one-row states");
            }
            ids[i] = new int[]{tokens[i]};
            checkLength(caches[i].length() + 1);
        }
        return run(ids, DecoderBatch.ofSequences(caches, attentionMasks), null, false, null);
    }

    private static void requireOwn(DecodingState state) {
        if (state.prompt() != DecodingState.PromptState.NONE) {
            throw new IllegalArgumentException("this decoding state was made by another family's model");
        }
    }

    /**
     * Runs new tokens through the decoder.
     *
     * @param inputIds      [rows][tokens] the new tokens, rows of equal length
     * @param attentionMask [rows][cached + tokens] 1 for real tokens, 0 for padding
     * @param imageStates   {@link #encodeImages}' states, which replace the {@code <image>} embeddings in reading
     *                      order when the cache is empty; null for none
     * @param allPositions  logits for every new token, else for the last one of each row only
     * @param trace         receives {@code merged_inputs_embeds}, {@code decoder_layer_<i>} and
     *                      {@code last_hidden_state}; may be null
     * @return logits, [rows, tokens or 1, vocab]
     */
    public float[] forward(int[][] inputIds, int[][] attentionMask, float[] imageStates, KvCache cache,
                           boolean allPositions, ForwardTrace trace) {
        int rows = inputIds.length;
        int tokens = rows == 0 ? 0 : inputIds[0].length;
        if (tokens == 0 || attentionMask.length != rows || cache.rows() != rows) {
            throw new IllegalArgumentException("forward needs at least one new token and as many rows in input_ids ("
                    + rows + "), attention_mask (" + attentionMask.length + ") and the cache (" + cache.rows() + ")");
        }
        for (int[] row : inputIds) {
            if (row.length != tokens) {
                throw new IllegalArgumentException("input_ids rows have different lengths; pad the batch");
            }
        }
        checkLength(cache.length() + tokens);
        return run(inputIds, DecoderBatch.of(cache, attentionMask, tokens),
                cache.length() == 0 ? imageStates : null, allPositions, trace);
    }

    /** The one forward pass: embed (image states merged in), the decoder, the lm head. */
    private float[] run(int[][] inputIds, DecoderBatch batch, float[] imageStates, boolean allPositions,
                        ForwardTrace trace) {
        int hidden = config.textConfig().hiddenSize();
        float[] h = embedTokens.embed(inputIds);
        if (imageStates != null) {
            InputsMerger.merge(h, inputIds, imageStates, hidden, config.imageTokenId(), config.imageSeqLen());
        }
        if (trace != null) {
            trace.record("merged_inputs_embeds", h.clone(), batch.rows(), batch.tokens(), hidden);
        }
        float[] normed = textModel.forward(h, batch, null, trace);
        return lmHead.forward(normed, batch.rows(), batch.tokens(), allPositions);
    }

    /** Refuses a sequence the sliding window would cut: full attention over it would differ from the reference's. */
    private void checkLength(int positions) {
        Integer window = config.slidingWindow();
        if (window != null && positions > window) {
            throw new IllegalArgumentException("a sequence of " + positions + " positions is longer than the text "
                    + "model's sliding_window (" + window + "); idefics4j runs full attention, which equals "
                    + "Mistral's sliding-window attention only up to that length");
        }
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
