package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.RandomCheckpoint;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.ModelFamily;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "random-checkpoint", mixinStandardHelpOptions = true,
        description = "Write a random-weight checkpoint (IDEFICS, Idefics3/SmolVLM) in the Hugging Face layout (for"
                + " benchmarks and tests).")
final class RandomCheckpointCommand implements Callable<Integer> {
    @Option(names = "--like", required = true, paramLabel = "MODEL",
            description = "idefics-9b, idefics-9b-instruct, idefics-80b, idefics-80b-instruct, SmolVLM-256M-Instruct,"
                    + " or a config.json path")
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

    @Option(names = "--tokenizer-from", paramLabel = "DIR",
            description = "Folder whose tokenizer files to copy (default: the bundled tokenizer with as many tokens as"
                    + " the model's vocabulary).")
    Path tokenizerFrom;

    @Override
    public Integer call() throws Exception {
        DType type = switch (dtype.toLowerCase()) {
            case "bf16", "bfloat16" -> DType.BF16;
            case "f16", "float16" -> DType.F16;
            case "f32", "float32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, not " + dtype);
        };
        long start = System.nanoTime();
        ObjectNode config = write(like, textLayers, visionLayers, tokenizerFrom, type, seed, maxShardBytes, out);
        System.err.printf("wrote %s (%s, %s) in %.1f s%n", out, config.path("model_type").asText(), type,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /**
     * Writes a random checkpoint shaped like {@code like} (a published name or a config.json path) as its family
     * lays it out, keeping {@code textLayers} decoder layers and {@code visionLayers} vision layers when given;
     * returns the config written.
     *
     * @param tokenizer the tokenizer files to copy; null: the bundled tokenizer that fits the vocabulary
     */
    static ObjectNode write(String like, Integer textLayers, Integer visionLayers, Path tokenizer, DType type,
                            long seed, long maxShardBytes, Path out) throws java.io.IOException {
        ObjectNode given = Files.isRegularFile(Path.of(like))
                ? (ObjectNode) new ObjectMapper().readTree(Path.of(like).toFile())
                : ModelFamilies.publishedConfig(like);
        ModelFamily family = ModelFamilies.of(given, like);
        ObjectNode config = family.withLayers(given, textLayers, visionLayers);
        RandomCheckpoint.Contents contents = family.randomCheckpoint(config);
        Path tokenizerDir = tokenizer != null ? tokenizer : bundledTokenizer(contents.vocabSize());
        RandomCheckpoint.write(config, contents, type, out, tokenizerDir, seed, maxShardBytes);
        return config;
    }

    private static Path bundledTokenizer(int vocabSize) {
        for (String name : new String[]{BundledModels.TINY, BundledModels.TOKENIZER_BASE,
                BundledModels.TOKENIZER_SMOLVLM}) {
            Path dir = BundledModels.path(name);
            if (Tokenizers.load(dir).vocabSize() == vocabSize) {
                return dir;
            }
        }
        throw new IllegalArgumentException("no bundled tokenizer has the model's " + vocabSize + " tokens; give one "
                + "with --tokenizer-from");
    }
}
