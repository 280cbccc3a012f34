package dev.idefics4j.cli;

import java.util.Map;

/**
 * A batch's decoding speedup over one sequence from steps taken in alternation: rounds of a few single-sequence steps
 * then a few batch steps, each round's ratio of the two medians; the median round is reported. A ratio of two figures
 * measured up to a minute apart would drift with the machine's memory bandwidth, which bounds one sequence while a
 * batch is mostly bound by arithmetic.
 */
final class PairedSpeedup {
    static final int ROUNDS = 7;

    private PairedSpeedup() {
    }

    /** Steps per round: a few, from the settings' decode steps. */
    static int steps(BenchSettings s) {
        return Math.max(1, Math.min(3, s.decodeSteps() / 2));
    }

    /**
     * Adds the batch's own figures to {@code r}: {@code batch_rows}, its step times and tokens/s, and its speedup over
     * {@code decode_tokens_per_s} when that was measured (up to a minute before: see {@link #measure}).
     */
    static void batchFigures(Map<String, Object> r, int rows, Samples stepTimes) {
        r.put("batch_rows", rows);
        r.put("batch_decode_s_per_step", stepTimes.json());
        double tps = rows / stepTimes.median();
        r.put("batch_decode_tokens_per_s", Samples.round(tps));
        if (r.get("decode_tokens_per_s") instanceof Double single) {
            r.put("batch_decode_speedup", Samples.round(tps / single));
        }
    }

    /** Adds {@code batch_decode_speedup_paired}, its rounds and the single sequence's rate to {@code r}. */
    static void measure(Map<String, Object> r, Runnable one, Runnable all, int rows, BenchSettings s) {
        int steps = steps(s);
        for (int i = 0; i < s.warmup(); i++) {
            one.run();
            all.run();
        }
        double[] ratios = new double[ROUNDS];
        double[] oneTimes = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            oneTimes[i] = medianSeconds(one, steps);
            ratios[i] = rows * oneTimes[i] / medianSeconds(all, steps);
        }
        Samples speedup = new Samples(ratios);
        r.put("batch_decode_speedup_paired", Samples.round(speedup.median()));
        r.put("batch_decode_speedup_paired_rounds", speedup.json());
        r.put("batch_decode_paired_single_tokens_per_s", Samples.round(1 / new Samples(oneTimes).median()));
    }

    private static double medianSeconds(Runnable work, int n) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            work.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return new Samples(t).median();
    }
}
