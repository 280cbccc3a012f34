package dev.idefics4j.cli;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

/** Repeated measurements of one quantity after warm-up runs, summarised as min / median / max. */
record Samples(double[] values) {
    Samples {
        values = values.clone();
        Arrays.sort(values);
    }

    /** Warm-up calls stop once the JIT was quiet for a while (below), or after this long. */
    private static final long SETTLE_NANOS = 10_000_000_000L;
    /**
     * Warm-up takes at least this long and ends only after this many calls in a row during which no compilation
     * finished: a C2 compilation finishes only after the call that queued it, so one quiet short call proved
     * nothing (a decoder layer alone, 8 ms a call, was timed at 17 ms after two warm-up calls and one quiet one).
     */
    private static final long MIN_WARMUP_NANOS = 1_000_000_000L;
    private static final int QUIET_CALLS = 3;

    /**
     * Seconds per call of {@code work}: {@code warmup} untimed calls, more for at least {@link #MIN_WARMUP_NANOS}
     * and while the JIT is still compiling (at most {@link #SETTLE_NANOS}; a compiler thread takes one of the cores
     * being measured: during a decoding measurement after two warm-up steps it had 18 % of the samples), then
     * {@code reps} timed ones.
     */
    static Samples seconds(int warmup, int reps, Runnable work) {
        long start = System.nanoTime();
        for (int i = 0; i < warmup; i++) {
            work.run();
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watch = jit != null && jit.isCompilationTimeMonitoringSupported();
        long deadline = start + SETTLE_NANOS;
        long before = watch ? jit.getTotalCompilationTime() : 0;
        int quiet = 0;
        while (System.nanoTime() < deadline
                && (System.nanoTime() - start < MIN_WARMUP_NANOS || (watch && quiet < QUIET_CALLS))) {
            work.run();
            long after = watch ? jit.getTotalCompilationTime() : 0;
            quiet = after == before ? quiet + 1 : 0;
            before = after;
        }
        double[] s = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            work.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        return new Samples(s);
    }

    /** {@code reps} readings of a probe that measures itself, after {@code warmup} discarded ones. */
    static Samples readings(int warmup, int reps, DoubleSupplier probe) {
        for (int i = 0; i < warmup; i++) {
            probe.getAsDouble();
        }
        double[] s = new double[reps];
        for (int i = 0; i < reps; i++) {
            s[i] = probe.getAsDouble();
        }
        return new Samples(s);
    }

    double min() {
        return values[0];
    }

    double max() {
        return values[values.length - 1];
    }

    double median() {
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** {@code amount / value} for every sample (seconds to a rate), min and max swapped accordingly. */
    Samples inverse(double amount) {
        double[] r = new double[values.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = amount / values[i];
        }
        return new Samples(r);
    }

    Samples scaled(double factor) {
        double[] r = new double[values.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = values[i] * factor;
        }
        return new Samples(r);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", round(min()));
        m.put("median", round(median()));
        m.put("max", round(max()));
        m.put("n", values.length);
        return m;
    }

    /** Four significant digits: the noise of a shared machine is far larger. */
    static double round(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double scale = Math.pow(10, 3 - Math.floor(Math.log10(Math.abs(v))));
        return Math.round(v * scale) / scale;
    }
}
