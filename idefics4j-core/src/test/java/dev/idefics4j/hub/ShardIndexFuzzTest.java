package dev.idefics4j.hub;

import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutated model.safetensors.index.json files list their shards or fail with a HubException. */
class ShardIndexFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedIndexesListShardsOrFailWithAHubException() {
        List<byte[]> seeds = List.of(MutationFuzzer.read(
                TestData.model("tiny-idefics3").resolve("model.safetensors.index.json")));
        Path file = dir.resolve("model.safetensors.index.json");
        MutationFuzzer.of("shard-index", seeds, HubException.class).run(1500, bytes -> {
            Files.write(file, bytes);
            ShardIndex.shardPaths(file, "sub/model.safetensors.index.json");
        });
    }
}
