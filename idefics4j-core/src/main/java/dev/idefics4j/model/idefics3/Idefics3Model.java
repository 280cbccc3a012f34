package dev.idefics4j.model.idefics3;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.model.ImageTokenModel;
import dev.idefics4j.model.SiglipVisionTransformer;
import dev.idefics4j.model.VisionBatch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Idefics3ForConditionalGeneration (Idefics3, SmolVLM): the SigLIP tower encodes every real frame of the batch (a
 * patch valid when any of its pixels is), the {@link Idefics3Connector} (pixel shuffle, projection) makes
 * {@code image_seq_len} states of each, and those states replace the embeddings of the prompts' {@code <image>}
 * tokens ({@link ImageTokenModel}) before the LLaMA decoder.
 */
public final class Idefics3Model extends ImageTokenModel<Idefics3ImageInputs> {
    private final Idefics3Config config;
    private final Idefics3Connector connector;

    private Idefics3Model(Idefics3Config config, Checkpoint ckpt, boolean bf16KvCache) {
        SiglipVisionTransformer tower = new SiglipVisionTransformer(config.visionConfig(), ckpt, VISION);
        this.config = config;
        connector = connector(config, ckpt);
        super(ckpt, Idefics3ImageInputs.class, tower, VisionBatch.PatchRule.ANY_PIXEL, config.textConfig(),
                config.imageTokenId(), config.imageSeqLen(), bf16KvCache);
    }

    private static Idefics3Connector connector(Idefics3Config config, Checkpoint ckpt) {
        try {
            return new Idefics3Connector(ckpt, CONNECTOR, config.visionConfig().hiddenSize(), config.scaleFactor(),
                    config.textConfig().hiddenSize());
        } catch (CheckpointException e) {
            throw new CheckpointException(e.getMessage() + " (the connector maps vision_config.hidden_size "
                    + config.visionConfig().hiddenSize() + " x scale_factor² " + config.scaleFactor()
                    * config.scaleFactor() + " to text_config.hidden_size " + config.textConfig().hiddenSize() + ")",
                    e);
        }
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

    @Override
    protected PixelBatch pixels(Idefics3ImageInputs images) {
        return images.pixels();
    }

    @Override
    protected float[] connect(float[] vision, VisionBatch batch, ForwardTrace trace) {
        return connector.forward(vision, batch.count(), batch.patches(), trace);
    }
}
