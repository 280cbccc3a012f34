package dev.idefics4j.model;

import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.model.idefics.IdeficsConfig;
import dev.idefics4j.model.idefics3.Idefics3Config;
import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutated config.json files parse as IDEFICS v1 and Idefics3/Idefics2 configs or fail with a CheckpointException. */
class ConfigFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedConfigsParseOrFailWithACheckpointException() {
        List<byte[]> seeds = List.of("tiny", "tiny-80b-style", "tiny-idefics3", "tiny-idefics2").stream()
                .map(m -> MutationFuzzer.read(TestData.model(m).resolve("config.json"))).toList();
        Path file = dir.resolve("config.json");
        MutationFuzzer.of("config", seeds, CheckpointException.class).run(1500, bytes -> {
            Files.write(file, bytes);
            try {
                IdeficsConfig.load(file);
            } finally {
                Idefics3Config.load(file);
            }
        });
    }
}
