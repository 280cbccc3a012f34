package dev.idefics4j.model.idefics;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.model.DecoderBatch;
import dev.idefics4j.model.DecodingState;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.LlamaDecoder;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.IdeficsImageInputs;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.Weight;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * IdeficsForVisionText2Text: vision transformer → perceiver resampler (optional) → LLaMA decoder with gated
 * cross-attention blocks before every {@code cross_layer_interval}-th layer → RMSNorm → decoupled lm head.
 * Images are encoded once per request ({@link #encodeImages}); {@link #forward} then runs any number of new tokens
 * against a {@link KvCache}.
 */
public final class IdeficsModel implements VisionLanguageModel {
    private final IdeficsConfig config;
    private final Checkpoint checkpoint;
    private final VisionTransformer visionModel;
    private final PerceiverResampler perceiverResampler;
    private final DecoupledEmbedding embedTokens;
    private final LlamaDecoder decoder;
    private final GatedCrossAttentionLayer[] gatedCrossAttnLayers;
    private final DecoupledLinear lmHead;
    private volatile boolean bf16KvCache;

    private IdeficsModel(IdeficsConfig config, Checkpoint ckpt) {
        this.config = config;
        this.checkpoint = ckpt;
        int hidden = config.hiddenSize();
        visionModel = new VisionTransformer(config.visionConfig(), ckpt, "model.vision_model.");
        perceiverResampler = config.useResampler()
                ? new PerceiverResampler(config.perceiverConfig(), config.visionConfig().embedDim(), ckpt,
                "model.perceiver_resampler.")
                : null;
        int add = config.additionalVocabSize();
        Weight embed = ckpt.weight("model.embed_tokens.weight", config.vocabSize(), hidden);
        Weight addEmbed = add > 0 ? ckpt.weight("model.embed_tokens.additional_embedding.weight", add, hidden) : null;
        embedTokens = new DecoupledEmbedding(embed, addEmbed);
        decoder = new LlamaDecoder(config.textConfig(), ckpt, "model.");
        gatedCrossAttnLayers = new GatedCrossAttentionLayer[config.numCrossLayers()];
        for (int i = 0; i < gatedCrossAttnLayers.length; i++) {
            gatedCrossAttnLayers[i] = new GatedCrossAttentionLayer(config, ckpt, i);
        }
        if (config.tieWordEmbeddings() && !ckpt.contains("lm_head.weight")) {
            lmHead = new DecoupledLinear(embed, addEmbed);
        } else {
            Weight head = ckpt.weight("lm_head.weight", config.vocabSize(), hidden);
            Weight addHead = add > 0 ? ckpt.weight("lm_head.additional_fc.weight", add, hidden) : null;
            lmHead = new DecoupledLinear(head, addHead);
        }
        ckpt.checkAllUsed();
    }

    /** Loads a checkpoint folder (config.json + safetensors); weights stay memory-mapped until {@link #close()}. */
    public static IdeficsModel load(Path dir) {
        return load(dir, w -> w);
    }

    /**
     * Loads a checkpoint keeping linear-layer weights in the format {@code linearFormat} makes of them (for
     * quantization while loading); everything else stays as stored.
     */
    public static IdeficsModel load(Path dir, java.util.function.Function<Weight, MatrixWeight> linearFormat) {
        return load(dir, Checkpoint.LinearLoader.converting(linearFormat));
    }

    /** Loads a checkpoint whose linear-layer weights {@code linearLoader} makes (a pre-quantized checkpoint). */
    public static IdeficsModel load(Path dir, Checkpoint.LinearLoader linearLoader) {
        IdeficsConfig config = IdeficsConfig.load(dir.resolve("config.json"));
        return Checkpoint.build(dir, linearLoader, ckpt -> new IdeficsModel(config, ckpt));
    }

    public IdeficsConfig config() {
        return config;
    }

    @Override
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    @Override
    public int vocabSize() {
        return lmHead.outFeatures();
    }

    @Override
    public int maxPositionEmbeddings() {
        return config.maxPositionEmbeddings();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_type", "idefics");
        out.put("hidden_size", config.hiddenSize());
        out.put("num_hidden_layers", config.numHiddenLayers());
        out.put("cross_attention_layers", config.numCrossLayers());
        out.put("vision_layers", config.visionConfig().numHiddenLayers());
        return out;
    }

    /**
     * Bytes of weights a decoding step reads once whatever the batch: every decoder layer, the gated
     * cross-attention blocks (without the image key/value projections, done once per request) and the lm head.
     */
    public long decodeWeightBytes() {
        long total = lmHead.byteSize() + decoder.streamedBytes();
        for (GatedCrossAttentionLayer l : gatedCrossAttnLayers) {
            total += l.streamedBytes();
        }
        return total;
    }

    /** A cache for {@code rows} sequences, float32 or bfloat16 as {@link #setBf16KvCache} says. */
    public KvCache newCache(int rows, int capacity) {
        return decoder.newCache(rows, capacity, bf16KvCache);
    }

    @Override
    public KvCache.Layout kvCacheLayout() {
        return decoder.cacheLayout(bf16KvCache);
    }

    /**
     * Whether caches made from now on hold keys and values as bfloat16 (half the memory, and half the bytes a
     * decoding step's attention reads) instead of float32, the default, which the parity with the reference
     * needs. {@code Idefics} turns it on with {@code bf16-dot}, whose activations are bf16 already.
     */
    public void setBf16KvCache(boolean value) {
        bf16KvCache = value;
    }

    public boolean bf16KvCache() {
        return bf16KvCache;
    }

    /** A context for prompts without images: every token's cross-attention term is gated off. */
    public ImageContext noImages(int rows) {
        return new ImageContext(config.imageSeqLen(), stateDim(), new int[rows], new float[rows][0],
                new float[gatedCrossAttnLayers.length][rows][0], new float[gatedCrossAttnLayers.length][rows][0]);
    }

    private int stateDim() {
        return config.visionConfig().embedDim();
    }

    /**
     * Runs the vision tower (and resampler) over {@code pixelValues} [rows, maxImages, 3, S, S] and projects the
     * states into every cross-attention layer's keys and values.
     *
     * @param imagesPerRow how many leading images of each row are real (the rest are batch padding and skipped);
     *                     null: all {@code maxImages}
     */
    public ImageContext encodeImages(float[] pixelValues, int rows, int maxImages, int[] imagesPerRow,
                                     ForwardTrace trace) {
        int c = config.visionConfig().numChannels();
        long perImage = rows * maxImages == 0 ? 0 : pixelValues.length / ((long) rows * maxImages * c);
        int s = (int) Math.round(Math.sqrt(perImage));
        if (rows * maxImages == 0 || (long) rows * maxImages * c * s * s != pixelValues.length
                || s < config.visionConfig().patchSize()) {
            throw new IllegalArgumentException("pixel_values has " + pixelValues.length + " values; expected "
                    + rows + " x " + maxImages + " x " + c + " x S x S square images (S = image_size, "
                    + config.visionConfig().imageSize() + ", or another size of at least one patch)");
        }
        int[] counts = new int[rows];
        for (int b = 0; b < rows; b++) {
            counts[b] = imagesPerRow == null ? maxImages : imagesPerRow[b];
            if (counts[b] < 0 || counts[b] > maxImages) {
                throw new IllegalArgumentException("row " + b + " claims " + counts[b] + " images of " + maxImages);
            }
        }
        int dim = stateDim();
        int visionTokens = visionModel.tokensFor(s);
        int seq = perceiverResampler != null ? perceiverResampler.numLatents() : visionTokens;
        float[][] states = new float[rows][];
        for (int b = 0; b < rows; b++) {
            float[] vision = visionModel.forward(pixelValues, s, b * maxImages, counts[b]);
            if (trace != null) {
                trace.record("vision_last_hidden_state/" + b, vision, counts[b], visionTokens, dim);
            }
            if (perceiverResampler != null) {
                float[] perceived = perceiverResampler.forward(vision, counts[b], visionTokens);
                if (trace != null) {
                    trace.record("perceiver_output/" + b, perceived, counts[b], seq, dim);
                }
                states[b] = perceived;
            } else {
                states[b] = vision;
            }
        }
        return projectImages(states, counts, seq);
    }

    /**
     * The context of image states computed elsewhere (the resampler's output, or random states for timing the text
     * side alone): projected into every cross-attention layer's keys and values.
     *
     * @param states per row, {@code counts[row]} images of {@code imageSeqLen} states of vision_dim
     */
    public ImageContext projectImages(float[][] states, int[] counts, int imageSeqLen) {
        int rows = states.length;
        int layersCount = gatedCrossAttnLayers.length;
        float[][][] keys = new float[layersCount][rows][];
        float[][][] values = new float[layersCount][rows][];
        for (int l = 0; l < layersCount; l++) {
            for (int b = 0; b < rows; b++) {
                float[][] kv = gatedCrossAttnLayers[l].projectImages(states[b], counts[b] * imageSeqLen);
                keys[l][b] = kv[0];
                values[l][b] = kv[1];
            }
        }
        return new ImageContext(imageSeqLen, stateDim(), counts, states, keys, values);
    }

    /**
     * Encodes the images some token attends to (trailing batch-padding images never) and prefills the prompts; with
     * no image attended to, the gate silences every cross-attention term and the vision tower does not run.
     */
    @Override
    public Prefill prefill(ModelInputs in, int capacity) {
        int rows = in.batchSize();
        int length = in.sequenceLength();
        ImageContext images;
        int[][][] imageMask;
        if (in.images() != null && imageInputs(in).attendsToImages()) {
            IdeficsImageInputs given = imageInputs(in);
            int[] used = new int[rows];
            for (int b = 0; b < rows; b++) {
                used[b] = given.imagesUsed(b);
            }
            images = encodeImages(given.pixelValues(), rows, given.maxImages(), used, null);
            imageMask = given.imageAttentionMask();
        } else {
            images = noImages(rows);
            imageMask = new int[rows][length][1];
        }
        KvCache cache = newCache(rows, capacity);
        float[] logits = forward(in.inputIds(), in.attentionMask(), imageMask, images, cache, false, null);
        int[][] last = new int[rows][];
        for (int b = 0; b < rows; b++) {
            last[b] = imageMask[b][length - 1].clone();
        }
        return new Prefill(new DecodingState(cache, new IdeficsPromptState(images, last)), logits);
    }

    private static IdeficsImageInputs imageInputs(ModelInputs in) {
        if (in.images() instanceof IdeficsImageInputs v1) {
            return v1;
        }
        throw new IllegalArgumentException("IDEFICS reads pixel_values with an image_attention_mask (IdeficsImageInputs)"
                + "; these inputs hold " + in.images().getClass().getSimpleName() + ", from another family's processor");
    }

    private static IdeficsPromptState promptState(DecodingState state) {
        if (state.prompt() instanceof IdeficsPromptState p) {
            return p;
        }
        throw new IllegalArgumentException("this decoding state was not made by an IDEFICS model");
    }

    @Override
    public float[] step(DecodingState state, int[][] inputIds, int[][] attentionMask, boolean allPositions) {
        IdeficsPromptState p = promptState(state);
        int[][][] imageMask = new int[inputIds.length][][];
        for (int b = 0; b < inputIds.length; b++) {
            imageMask[b] = new int[inputIds[b].length][];
            java.util.Arrays.fill(imageMask[b], p.lastImageMask()[b]);
        }
        return forward(inputIds, attentionMask, imageMask, p.images(), state.cache(), allPositions, null);
    }

    @Override
    public float[] stepSequences(List<DecodingState> states, int[] tokens, int[][] attentionMasks) {
        int n = states.size();
        KvCache[] caches = new KvCache[n];
        ImageContext[] images = new ImageContext[n];
        int[][] imageMasks = new int[n][];
        for (int i = 0; i < n; i++) {
            IdeficsPromptState p = promptState(states.get(i));
            caches[i] = states.get(i).cache();
            images[i] = p.images();
            imageMasks[i] = p.lastImageMask().length == 1 ? p.lastImageMask()[0] : null;
        }
        return forwardSequences(tokens, caches, images, attentionMasks, imageMasks);
    }

    /**
     * Runs new tokens through the decoder.
     *
     * @param inputIds           [rows][tokens] the new tokens
     * @param attentionMask      [rows][cached + tokens] 1 for real tokens, 0 for padding
     * @param imageAttentionMask [rows][tokens][images] 1 where a token attends to an image
     * @param allPositions       logits for every new token, else for the last one of each row only
     * @return logits, [rows, tokens or 1, vocab_size + additional_vocab_size]
     */
    public float[] forward(int[][] inputIds, int[][] attentionMask, int[][][] imageAttentionMask,
                           ImageContext images, KvCache cache, boolean allPositions, ForwardTrace trace) {
        int rows = inputIds.length;
        int tokens = inputIds[0].length;
        validate(inputIds, attentionMask, imageAttentionMask, images, cache, rows, tokens, cache.length());
        return run(inputIds, DecoderBatch.of(cache, attentionMask, tokens), imageAttentionMask, images,
                allPositions, trace);
    }

    /**
     * One new token for each of several independent sequences, each with its own one-row {@link KvCache} (of any
     * length) and its own one-row {@link ImageContext}: the weight-heavy matrix products run on all sequences at
     * once, attention per sequence against its own cache. Row i of the result equals {@link #forward} of that
     * sequence alone; this is what lets requests join and leave a running batch (continuous batching).
     *
     * @param tokens         the new token of each sequence
     * @param attentionMasks per sequence, [cached + 1] 1 for real tokens, 0 for padding
     * @param imageMasks     per sequence, the new token's image attention mask [images]
     * @return logits, [sequences, vocab_size + additional_vocab_size]
     */
    public float[] forwardSequences(int[] tokens, KvCache[] caches, ImageContext[] images, int[][] attentionMasks,
                                    int[][] imageMasks) {
        int n = tokens.length;
        if (n == 0 || caches.length != n || images.length != n || attentionMasks.length != n
                || imageMasks.length != n) {
            throw new IllegalArgumentException("forwardSequences needs one cache, image context, attention mask and "
                    + "image mask per token; got " + n + " tokens, " + caches.length + " caches, " + images.length
                    + " image contexts, " + attentionMasks.length + " and " + imageMasks.length + " masks");
        }
        int[][] ids = new int[n][];
        int[][][] imageMask = new int[n][][];
        for (int b = 0; b < n; b++) {
            ids[b] = new int[]{tokens[b]};
            imageMask[b] = new int[][]{imageMasks[b]};
            if (caches[b].rows() != 1 || images[b].rows() != 1) {
                throw new IllegalArgumentException("sequence " + b + " must have a one-row cache and image context");
            }
            validate(new int[][]{ids[b]}, new int[][]{attentionMasks[b]}, new int[][][]{imageMask[b]}, images[b],
                    caches[b], 1, 1, caches[b].length());
        }
        return run(ids, DecoderBatch.ofSequences(caches, attentionMasks), imageMask, ImageContext.join(images),
                false, null);
    }

    /** The one forward pass: embed, the decoder with a gated cross-attention block before every interval-th layer. */
    private float[] run(int[][] inputIds, DecoderBatch batch, int[][][] imageAttentionMask, ImageContext images,
                        boolean allPositions, ForwardTrace trace) {
        int rows = batch.rows();
        int tokens = batch.tokens();
        int hidden = config.hiddenSize();
        boolean[][] gate = gate(imageAttentionMask, images, rows, tokens);
        float[] h = embed(inputIds, rows, tokens);
        if (trace != null) {
            trace.record("inputs_embeds", h.clone(), rows, tokens, hidden);
            float[] g = new float[rows * tokens];
            float[] p = new float[rows * tokens];
            for (int b = 0; b < rows; b++) {
                for (int t = 0; t < tokens; t++) {
                    g[b * tokens + t] = gate[b][t] ? 1 : 0;
                    p[b * tokens + t] = batch.positions()[b][t];
                }
            }
            trace.record("cross_attention_gate", g, rows, tokens);
            trace.record("position_ids", p, rows, tokens);
        }
        int interval = config.crossLayerInterval();
        float[] normed = decoder.forward(h, batch, (i, x) -> {
            if (i % interval == 0) {
                gatedCrossAttnLayers[i / interval].forward(x, rows, tokens, imageAttentionMask, gate, images);
                if (trace != null) {
                    trace.record("gated_xattn_" + (i / interval), x.clone(), rows, tokens, hidden);
                }
            }
        }, trace);
        if (allPositions || tokens == 1) {
            return lmHead.forward(normed, rows * tokens);
        }
        float[] last = new float[rows * hidden];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(normed, ((b + 1) * tokens - 1) * hidden, last, b * hidden, hidden);
        }
        return lmHead.forward(last, rows);
    }

    /** Whether each new token attends to any image (else the cross-attention term is gated off). */
    private static boolean[][] gate(int[][][] imageAttentionMask, ImageContext images, int rows, int tokens) {
        boolean[][] gate = new boolean[rows][tokens];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < tokens; t++) {
                for (int img = 0; img < images.images(b); img++) {
                    gate[b][t] |= imageAttentionMask[b][t][img] != 0;
                }
            }
        }
        return gate;
    }

    private float[] embed(int[][] inputIds, int rows, int tokens) {
        int hidden = config.hiddenSize();
        float[] h = new float[rows * tokens * hidden];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < tokens; t++) {
                embedTokens.lookup(inputIds[b][t], h, (b * tokens + t) * hidden);
            }
        }
        return h;
    }

    private void validate(int[][] inputIds, int[][] attentionMask, int[][][] imageAttentionMask, ImageContext images,
                          KvCache cache, int rows, int tokens, int past) {
        if (tokens == 0) {
            throw new IllegalArgumentException("forward needs at least one new token");
        }
        if (attentionMask.length != rows || imageAttentionMask.length != rows || images.rows() != rows
                || cache.rows() != rows) {
            throw new IllegalArgumentException("batch rows disagree: input_ids " + rows + ", attention_mask "
                    + attentionMask.length + ", image_attention_mask " + imageAttentionMask.length + ", images "
                    + images.rows() + ", cache " + cache.rows());
        }
        for (int b = 0; b < rows; b++) {
            if (inputIds[b].length != tokens) {
                throw new IllegalArgumentException("input_ids rows have different lengths; pad the batch");
            }
            if (attentionMask[b].length != past + tokens) {
                throw new IllegalArgumentException("attention_mask row " + b + " has " + attentionMask[b].length
                        + " entries; expected cached " + past + " + new " + tokens);
            }
            if (imageAttentionMask[b].length != tokens) {
                throw new IllegalArgumentException("image_attention_mask row " + b + " covers "
                        + imageAttentionMask[b].length + " tokens; expected " + tokens);
            }
            for (int t = 0; t < tokens; t++) {
                for (int img = images.images(b); img < imageAttentionMask[b][t].length; img++) {
                    if (imageAttentionMask[b][t][img] != 0) {
                        throw new IllegalArgumentException("token " + t + " of row " + b + " attends to image "
                                + img + " but the row has only " + images.images(b) + " image(s)");
                    }
                }
            }
        }
        if (past + tokens > config.maxPositionEmbeddings() * 64L) {
            throw new CheckpointException("sequence of " + (past + tokens) + " tokens is far beyond the model's "
                    + config.maxPositionEmbeddings() + " positions");
        }
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
