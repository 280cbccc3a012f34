package dev.idefics4j.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Named blocks timed one after another: per block min / median / max in ms (a report's {@code layers_ms}) and the
 * medians in seconds. Long blocks get the settings' fewer repetitions.
 */
record LayerTimes(Map<String, Object> ms, Map<String, Double> medianSeconds) {
    static LayerTimes measure(String[] modes, Predicate<String> large, Function<String, Runnable> work,
                              BenchSettings s, Consumer<String> progress) {
        Map<String, Object> ms = new LinkedHashMap<>();
        Map<String, Double> medians = new LinkedHashMap<>();
        for (String mode : modes) {
            Runnable block = work.apply(mode);
            progress.accept("layer " + mode);
            Samples t = Samples.seconds(s.warmup(), large.test(mode) ? s.longReps() : 2 * s.reps(), block)
                    .scaled(1e3);
            ms.put(mode, t.json());
            medians.put(mode, t.median() / 1e3);
        }
        return new LayerTimes(ms, medians);
    }
}
