package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.IdeficsConfig;
import dev.idefics4j.checkpoint.RandomCheckpoint;
import dev.idefics4j.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "random-checkpoint", mixinStandardHelpOptions = true,
        description = "Write a random-weight IDEFICS checkpoint in the Hugging Face layout (for benchmarks and tests).")
final class RandomCheckpointCommand implements Callable<Integer> {
    @Option(names = "--like", required = true, paramLabel = "MODEL",
            description = "idefics-9b, idefics-9b-instruct, idefics-80b, idefics-80b-instruct, or a config.json path")
    String like;

    @Option(names = "--text-layers", paramLabel = "N", description = "Decoder layers to keep (default: all).")
    Integer textLayers;

    @Option(names = "--vision-layers", paramLabel = "N", description = "Vision encoder layers (default: all).")
    Integer visionLayers;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-shard-size", defaultValue = "5000000000", paramLabel = "BYTES",
            description = "Shard the weights above this size (default: ${DEFAULT-VALUE}).")
    long maxShardBytes;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        DType type = switch (dtype.toLowerCase()) {
            case "bf16", "bfloat16" -> DType.BF16;
            case "f16", "float16" -> DType.F16;
            case "f32", "float32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, not " + dtype);
        };
        long start = System.nanoTime();
        IdeficsConfig parsed = write(like, textLayers, visionLayers, type, seed, maxShardBytes, out);
        System.err.printf("wrote %s (%d decoder layers, %s) in %.1f s%n", out, parsed.numHiddenLayers(), type,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /**
     * Writes a random checkpoint shaped like {@code like} (a published name or a config.json path), keeping
     * {@code textLayers} decoder layers and {@code visionLayers} vision layers when given.
     */
    static IdeficsConfig write(String like, Integer textLayers, Integer visionLayers, DType type, long seed,
                               long maxShardBytes, Path out) throws java.io.IOException {
        ObjectNode config = Files.isRegularFile(Path.of(like))
                ? (ObjectNode) new ObjectMapper().readTree(Path.of(like).toFile())
                : RandomCheckpoint.publishedConfig(like);
        if (textLayers != null) {
            config.put("num_hidden_layers", textLayers);
            int interval = config.path("cross_layer_interval").asInt(1);
            if (textLayers % interval != 0) {
                // Keep the checkpoint loadable: one gated cross-attention block, before layer 0.
                config.put("cross_layer_interval", textLayers);
                System.err.println("note: cross_layer_interval " + interval + " does not divide " + textLayers
                        + " layers; using " + textLayers + " (one gated cross-attention block)");
            }
        }
        if (visionLayers != null) {
            ((ObjectNode) config.withObject("vision_config")).put("num_hidden_layers", visionLayers);
        }
        IdeficsConfig parsed = IdeficsConfig.parse(like, config);
        Path tokenizer = BundledModels.path(parsed.additionalVocabSize() == 2
                ? BundledModels.TOKENIZER_BASE : BundledModels.TINY);
        RandomCheckpoint.write(config, type, out, tokenizer, seed, maxShardBytes);
        return parsed;
    }
}
