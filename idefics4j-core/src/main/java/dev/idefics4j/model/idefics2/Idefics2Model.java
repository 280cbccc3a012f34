package dev.idefics4j.model.idefics2;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.model.ImageTokenModel;
import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.model.SiglipVisionTransformer;
import dev.idefics4j.model.VisionBatch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Idefics2ForConditionalGeneration: the SigLIP tower (its padding images dropped, a patch valid only when all its
 * pixels are) → {@link Idefics2Connector} (modality projection, perceiver resampler) → the image states replace the
 * embeddings of the {@code <image>} tokens ({@link ImageTokenModel}) → the Mistral decoder → RMSNorm → lm head.
 *
 * <p>Mistral's sliding-window attention is not run: a sequence longer than {@code sliding_window} is refused (up to
 * that length full attention is what the window allows), and {@link #maxPositionEmbeddings} says so.
 */
public final class Idefics2Model extends ImageTokenModel<Idefics2ImageInputs> {
    private final Idefics2Config config;
    private final Idefics2Connector connector;

    private Idefics2Model(Idefics2Config config, Checkpoint ckpt, boolean bf16KvCache) {
        LlamaConfig text = config.textConfig();
        SiglipVisionTransformer tower = new SiglipVisionTransformer(config.visionConfig(), ckpt, VISION);
        this.config = config;
        connector = new Idefics2Connector(ckpt, CONNECTOR, config.visionConfig().hiddenSize(), text.hiddenSize(),
                text.intermediateSize(), config.perceiverConfig());
        super(ckpt, Idefics2ImageInputs.class, tower, VisionBatch.PatchRule.ALL_PIXELS, text, config.imageTokenId(),
                config.imageSeqLen(), bf16KvCache);
    }

    /** Loads a checkpoint folder with a float32 cache; see {@link #load(Path, Checkpoint.LinearLoader, boolean)}. */
    public static Idefics2Model load(Path dir, Checkpoint.LinearLoader linears) {
        return load(dir, linears, false);
    }

    /**
     * Loads a checkpoint folder (config.json + safetensors); weights stay memory-mapped until {@link #close()}.
     *
     * @param linears     makes the linear layers' weights (as stored, quantized while loading, or pre-quantized)
     * @param bf16KvCache keys and values cached as bfloat16 rather than float32
     */
    public static Idefics2Model load(Path dir, Checkpoint.LinearLoader linears, boolean bf16KvCache) {
        Idefics2Config config = Idefics2Config.load(dir.resolve("config.json"));
        return Checkpoint.build(dir, linears, ckpt -> new Idefics2Model(config, ckpt, bf16KvCache));
    }

    public Idefics2Config config() {
        return config;
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

    @Override
    protected PixelBatch pixels(Idefics2ImageInputs images) {
        return images.pixels();
    }

    @Override
    protected float[] connect(float[] vision, VisionBatch batch, ForwardTrace trace) {
        return connector.forward(vision, batch.count(), batch.patches(), batch.patchMask(), trace);
    }

    /** Refuses a sequence the sliding window would cut: full attention over it would differ from the reference's. */
    @Override
    protected void checkLength(int positions) {
        Integer window = config.slidingWindow();
        if (window != null && positions > window) {
            throw new IllegalArgumentException("a sequence of " + positions + " positions is longer than the text "
                    + "model's sliding_window (" + window + "); idefics4j runs full attention, which equals "
                    + "Mistral's sliding-window attention only up to that length");
        }
    }
}
