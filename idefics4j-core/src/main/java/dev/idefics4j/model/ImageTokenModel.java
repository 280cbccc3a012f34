package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.processor.ImageInputs;
import dev.idefics4j.processor.ModelInputs;

import java.util.List;

/**
 * The shape of the families whose image states take the place of the prompt's {@code <image>} token embeddings
 * (Idefics2, Idefics3, SmolVLM): the SigLIP tower encodes every real image of the batch (all-zero padding frames
 * dropped), the family's connector makes {@code image_seq_len} states of each, {@link InputsMerger} puts them in
 * place of the {@code <image>} rows in reading order, and the LLaMA-style decoder, its norm and the lm head (tied
 * to the embedding when the config says so and the checkpoint has none) do the rest. Images enter only at the
 * prefill, as the reference merges them only while the cache is empty: later tokens see them through the cache, so
 * the decoding state keeps nothing of the prompt ({@link DecodingState.PromptState#NONE}) and a generated
 * {@code <image>} is an ordinary token.
 *
 * <p>A family supplies its tower and connector (built before this constructor runs, so that the checkpoint is read
 * in the reference's order), {@link #connect} and {@link #pixels}; its weight names are the reference's
 * {@code model.vision_model.}, {@code model.connector.}, {@code model.text_model.} and {@code lm_head.weight}.
 *
 * @param <I> the family's image inputs, as its processor makes them
 */
public abstract class ImageTokenModel<I extends ImageInputs> implements VisionLanguageModel {
    protected static final String VISION = "model.vision_model.";
    protected static final String CONNECTOR = "model.connector.";
    private static final String TEXT = "model.text_model.";
    private static final String LM_HEAD = "lm_head.weight";

    private final Checkpoint checkpoint;
    private final Class<I> inputsType;
    private final SiglipVisionTransformer visionModel;
    private final VisionBatch.PatchRule patchRule;
    private final LlamaConfig text;
    private final TokenEmbedding embedTokens;
    private final LlamaDecoder textModel;
    private final LmHead lmHead;
    private final int imageTokenId;
    private final int imageSeqLen;
    private final boolean bf16KvCache;

    /**
     * Loads the text side (embedding, decoder, head) after the family's vision side and checks that the checkpoint
     * holds nothing else.
     *
     * @param inputsType  the image inputs this model reads; another family's are refused by name
     * @param visionModel the tower, loaded from {@link #VISION}
     * @param patchRule   which patches of a padded image count as real
     * @param bf16KvCache keys and values cached as bfloat16 rather than float32 (the default, which the parity with
     *                    the reference needs)
     */
    protected ImageTokenModel(Checkpoint ckpt, Class<I> inputsType, SiglipVisionTransformer visionModel,
                              VisionBatch.PatchRule patchRule, LlamaConfig text, int imageTokenId, int imageSeqLen,
                              boolean bf16KvCache) {
        this.checkpoint = ckpt;
        this.inputsType = inputsType;
        this.visionModel = visionModel;
        this.patchRule = patchRule;
        this.text = text;
        this.imageTokenId = imageTokenId;
        this.imageSeqLen = imageSeqLen;
        this.bf16KvCache = bf16KvCache;
        embedTokens = TokenEmbedding.load(text, ckpt, TEXT + "embed_tokens.weight");
        textModel = new LlamaDecoder(text, ckpt, TEXT);
        lmHead = LmHead.load(text, ckpt, embedTokens, LM_HEAD);
        ckpt.checkAllUsed();
    }

    /** The pixels of the family's image inputs. */
    protected abstract PixelBatch pixels(I images);

    /**
     * The family's connector: the tower's states of {@code batch}'s images, [images · patches, vision hidden], to
     * [images · image_seq_len, text hidden]; {@code trace} (may be null) receives its tensors.
     */
    protected abstract float[] connect(float[] vision, VisionBatch batch, ForwardTrace trace);

    /**
     * Refuses a sequence of {@code positions} the family cannot run at parity (Idefics2: beyond Mistral's
     * {@code sliding_window}); none by default.
     */
    protected void checkLength(int positions) {
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
        return text.maxPositionEmbeddings();
    }

    /** Bytes of weights a decoding step reads once whatever the batch: every decoder layer and the lm head. */
    public long decodeWeightBytes() {
        return lmHead.byteSize() + textModel.streamedBytes();
    }

    /** Whether its caches hold keys and values as bfloat16 (as loaded), else float32. */
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
     * connector, [images · image_seq_len, text hidden] in batch order. {@code trace} (may be null) receives the
     * tower's and the connector's tensors and {@code image_hidden_states}.
     */
    public float[] encodeImages(PixelBatch pixels, ForwardTrace trace) {
        byte[] pixelMask = pixels.pixelAttentionMask();
        boolean[] mask = new boolean[pixelMask.length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = pixelMask[i] != 0;
        }
        VisionBatch batch = VisionBatch.of(pixels.pixelValues(), mask, pixels.batchSize() * pixels.maxImages(), 3,
                pixels.height(), pixels.width(), visionModel.config().patchSize(), patchRule);
        if (batch.count() == 0) {
            return new float[0];
        }
        float[] states = connect(visionModel.forward(batch, trace), batch, trace);
        if (trace != null) {
            int hidden = text.hiddenSize();
            trace.record("image_hidden_states", states.clone(), batch.count(),
                    states.length / (batch.count() * hidden), hidden);
        }
        return states;
    }

    /** Encodes the inputs' images, if any, and runs the prompts into a fresh cache. */
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
     * @param trace        receives the tower's and connector's tensors, {@code image_hidden_states},
     *                     {@code merged_inputs_embeds}, {@code decoder_layer_<i>} and {@code last_hidden_state};
     *                     or null
     * @return logits, [rows, tokens or 1, vocab]
     */
    public float[] forward(ModelInputs inputs, KvCache cache, boolean allPositions, ForwardTrace trace) {
        if (cache.length() != 0 || cache.rows() != inputs.batchSize()) {
            throw new IllegalArgumentException("prompts run into an empty cache of " + inputs.batchSize()
                    + " rows; this one has " + cache.rows() + " rows and " + cache.length() + " positions");
        }
        float[] images = inputs.images() == null ? null : encodeImages(pixels(own(inputs.images())), trace);
        return forward(inputs.inputIds(), inputs.attentionMask(), images, cache, allPositions, trace);
    }

    private I own(ImageInputs images) {
        if (inputsType.isInstance(images)) {
            return inputsType.cast(images);
        }
        throw new IllegalArgumentException("this model reads " + inputsType.getSimpleName() + " (pixel_values with "
                + "a pixel_attention_mask); these inputs hold " + images.getClass().getSimpleName()
                + ", from another family's processor");
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
            throw new IllegalArgumentException("this decoding state was made by a model of another family");
        }
    }

    /** The one forward pass: embed (image states merged in), the decoder, its norm, the lm head. */
    private float[] run(int[][] inputIds, DecoderBatch batch, float[] imageStates, boolean allPositions,
                        ForwardTrace trace) {
        int hidden = text.hiddenSize();
        float[] h = embedTokens.embed(inputIds);
        if (imageStates != null) {
            InputsMerger.merge(h, inputIds, imageStates, hidden, imageTokenId, imageSeqLen);
        }
        if (trace != null) {
            trace.record("merged_inputs_embeds", h.clone(), batch.rows(), batch.tokens(), hidden);
        }
        float[] normed = textModel.forward(h, batch, null, trace);
        return lmHead.forward(normed, batch.rows(), batch.tokens(), allPositions);
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
