package dev.idefics4j.hub;

import dev.idefics4j.testing.FuzzTarget;
import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.ParserFuzzTest;
import dev.idefics4j.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

/** Mutated model.safetensors.index.json files list their shards or fail with a HubException. */
class ShardIndexFuzzTest {
    @TempDir
    static Path dir;

    private static final FuzzTarget TARGET = FuzzTarget.of("shard-index", bytes -> {
        Path file = dir.resolve("model.safetensors.index.json");
        Files.write(file, bytes);
        ShardIndex.shardPaths(file, "sub/model.safetensors.index.json");
    }, HubException.class);

    static List<byte[]> seeds() {
        return List.of(MutationFuzzer.read(TestData.model("tiny-idefics3").resolve("model.safetensors.index.json")));
    }

    @MethodSource("seeds")
    @ParserFuzzTest
    void shardIndex(byte[] input) throws Exception {
        TARGET.accept(input);
    }

    @Test
    void mutatedIndexesListShardsOrFailWithAHubException() {
        MutationFuzzer.run(TARGET, seeds(), 1500);
    }
}
