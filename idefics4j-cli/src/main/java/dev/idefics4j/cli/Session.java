package dev.idefics4j.cli;

import dev.idefics4j.Idefics;
import dev.idefics4j.IdeficsOptions;

/** Loads the facade from the shared {@link ModelOptions}. */
final class Session {
    private Session() {
    }

    static Idefics open(ModelOptions options) {
        IdeficsOptions o = IdeficsOptions.of(options.dir().toString()).withTokenizer(options.flavor())
                .withThreads(options.threads)
                .withQuantization(options.quantization())
                .withBf16Dot(options.bf16Dot);
        return Idefics.load(o);
    }
}
