package dev.idefics4j.model;

import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.model.idefics.IdeficsConfig;
import dev.idefics4j.model.idefics3.Idefics3Config;
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

/** Mutated config.json files parse as IDEFICS v1 and Idefics3/Idefics2 configs or fail with a CheckpointException. */
class ConfigFuzzTest {
    @TempDir
    static Path dir;

    private static final FuzzTarget TARGET = FuzzTarget.of("config", bytes -> {
        Path file = dir.resolve("config.json");
        Files.write(file, bytes);
        try {
            IdeficsConfig.load(file);
        } finally {
            Idefics3Config.load(file);
        }
    }, CheckpointException.class);

    static List<byte[]> seeds() {
        return List.of("tiny", "tiny-80b-style", "tiny-idefics3", "tiny-idefics2").stream()
                .map(m -> MutationFuzzer.read(TestData.model(m).resolve("config.json"))).toList();
    }

    @MethodSource("seeds")
    @ParserFuzzTest
    void config(byte[] input) throws Exception {
        TARGET.accept(input);
    }

    @Test
    void mutatedConfigsParseOrFailWithACheckpointException() {
        MutationFuzzer.run(TARGET, seeds(), 1500);
    }
}
