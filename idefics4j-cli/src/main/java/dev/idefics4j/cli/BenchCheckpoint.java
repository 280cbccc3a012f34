package dev.idefics4j.cli;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.tensor.DType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The random-weight checkpoint the benchmark runs on: a given folder, or one shaped like a published model with a
 * few decoder layers, written once (bf16, as published) into the cache and reused.
 */
final class BenchCheckpoint {
    private static final String COMPLETE = ".bench-complete";

    private BenchCheckpoint() {
    }

    static Path resolve(Path given, String like, int textLayers, java.util.function.Consumer<String> progress) {
        if (given != null) {
            if (!Files.isRegularFile(given.resolve("config.json"))) {
                throw new IllegalArgumentException(given + " holds no config.json");
            }
            return given;
        }
        Path dir = BundledModels.cacheRoot().resolve("bench").resolve(like + "-" + textLayers + "-layers");
        if (Files.isRegularFile(dir.resolve(COMPLETE)) && (Files.isRegularFile(dir.resolve(Checkpoint.SINGLE_FILE))
                || Files.isRegularFile(dir.resolve(Checkpoint.INDEX_FILE)))) {
            return dir;
        }
        progress.accept("writing a random " + like + "-shaped checkpoint with " + textLayers
                + " decoder layers to " + dir + " (once)");
        try {
            RandomCheckpointCommand.write(like, textLayers, null, null, DType.BF16, 0, 5_000_000_000L, dir);
            Files.writeString(dir.resolve(COMPLETE), "ok");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark checkpoint to " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }
}
