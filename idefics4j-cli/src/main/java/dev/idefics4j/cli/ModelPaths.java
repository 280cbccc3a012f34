package dev.idefics4j.cli;

import dev.idefics4j.hub.ModelLocator;

import java.nio.file.Path;

/**
 * Turns a {@code --model} value into a checkpoint folder: absent → the bundled tiny model; a folder → itself; a Hub
 * repo id ({@code HuggingFaceM4/idefics-9b}) → downloaded into (or found in) the Hugging Face cache.
 */
final class ModelPaths {
    private ModelPaths() {
    }

    static Path resolve(String model) {
        return resolve(model, null);
    }

    static Path resolve(String model, String revision) {
        if (model == null || model.isBlank()) {
            return BundledModels.path(BundledModels.TINY);
        }
        return ModelLocator.resolve(model, revision);
    }
}
