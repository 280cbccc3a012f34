package dev.idefics4j.cli;

import dev.idefics4j.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * FP32 fused multiply-add throughput with the Vector API: twelve independent accumulator chains per thread (more
 * than FMA latency x FMA ports), every compute thread busy. The ceiling for GEMM-bound work (prefill, images).
 */
final class FmaPeakProbe {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int CHAINS = 12;
    private volatile float sink;

    /** One timed run of {@code iterations} rounds on every thread; GFLOP/s. */
    double measure(long iterations) {
        int threads = Parallel.threads();
        float[] partial = new float[threads];
        long start = System.nanoTime();
        Parallel.forEach(threads, true, t -> partial[t] = chains(iterations));
        double seconds = (System.nanoTime() - start) / 1e9;
        float s = 0;
        for (float p : partial) {
            s += p;
        }
        sink = s;
        return (double) iterations * CHAINS * F.length() * 2 * threads / seconds / 1e9;
    }

    private static float chains(long iterations) {
        FloatVector x = FloatVector.broadcast(F, 0.999999f);
        FloatVector y = FloatVector.broadcast(F, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(F, 0.01f), a1 = a0.add(0.01f), a2 = a1.add(0.01f);
        FloatVector a3 = a2.add(0.01f), a4 = a3.add(0.01f), a5 = a4.add(0.01f), a6 = a5.add(0.01f);
        FloatVector a7 = a6.add(0.01f), a8 = a7.add(0.01f), a9 = a8.add(0.01f), a10 = a9.add(0.01f);
        FloatVector a11 = a10.add(0.01f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    float sink() {
        return sink;
    }
}
