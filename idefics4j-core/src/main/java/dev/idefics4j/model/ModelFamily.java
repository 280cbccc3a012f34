package dev.idefics4j.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.RandomCheckpoint;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.processor.Processor;
import dev.idefics4j.tokenizer.Flavor;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One member of the IDEFICS family, for the checkpoints whose {@code config.json} has its {@code model_type}: how to
 * load its model and processor, and how to shape a random checkpoint of it. {@link ModelFamilies} holds one per
 * supported type; everything outside the family's package (the facade, generation, the command line, the server,
 * Spark, quantization) goes through it.
 */
public interface ModelFamily {

    /** {@code config.json}'s {@code model_type}. */
    String modelType();

    /**
     * Loads a checkpoint folder (its config is read and checked here, errors naming the field); weights stay
     * memory-mapped until the model is closed.
     *
     * @param linears     makes every linear layer's weight (as stored, quantized, pre-quantized)
     * @param bf16KvCache keys and values cached as bfloat16 rather than float32
     */
    VisionLanguageModel load(Path dir, Checkpoint.LinearLoader linears, boolean bf16KvCache);

    /**
     * The processor of a checkpoint folder: its tokenizer and image processor.
     *
     * @param tokenizer which tokenizer file to read; null for the reference's choice
     */
    Processor processor(Path dir, Flavor tokenizer, ImageLoader images);

    /** A published configuration bundled for random checkpoints ({@code idefics-9b}, ...), if this family has it. */
    Optional<ObjectNode> publishedConfig(String name);

    List<String> publishedConfigNames();

    /**
     * {@code config} reduced to {@code textLayers} decoder layers and {@code visionLayers} vision layers (null: as
     * it is), adjusted where other fields must follow so that it stays loadable.
     */
    ObjectNode withLayers(ObjectNode config, Integer textLayers, Integer visionLayers);

    /** What a random checkpoint of {@code config} holds: its tensors and the files beside config.json. */
    RandomCheckpoint.Contents randomCheckpoint(ObjectNode config);

    /**
     * The chat template conversations (chat, the tasks, the server's chat API) are written in: the checkpoint's own,
     * found as transformers finds it; empty for a family that has its own fixed format.
     */
    default Optional<ChatTemplate> chatTemplate(Path dir) {
        return ChatTemplate.find(dir);
    }
}
