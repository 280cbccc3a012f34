package dev.idefics4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Turns a {@code --model} value into a checkpoint folder: absent → the bundled tiny model; a folder → itself. */
final class ModelPaths {
    private ModelPaths() {
    }

    static Path resolve(String model) {
        if (model == null || model.isBlank()) {
            return BundledModels.path(BundledModels.TINY);
        }
        Path p = Path.of(model);
        if (Files.isDirectory(p)) {
            return p;
        }
        throw new IllegalArgumentException("--model " + model + ": no such folder");
    }
}
