package dev.idefics4j.spark;

import dev.idefics4j.Idefics;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One loaded model per executor JVM and {@link ModelSpec}: every task and SQL function call in the JVM shares it, so
 * the weights are mapped (or downloaded) once however many partitions run there. It lives as long as the JVM.
 */
final class ModelCache {
    private static final ConcurrentHashMap<ModelSpec, Idefics> MODELS = new ConcurrentHashMap<>();

    private ModelCache() {
    }

    /** The model, loaded by the first caller while the others for the same spec wait; a failed load is retried. */
    static Idefics get(ModelSpec spec) {
        return MODELS.computeIfAbsent(spec, s -> Idefics.load(s.options()));
    }
}
