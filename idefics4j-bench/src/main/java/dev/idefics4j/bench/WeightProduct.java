package dev.idefics4j.bench;

import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.Parallel;
import dev.idefics4j.tensor.Weight;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;

/** State shared by the matrix-product benchmarks: a random off-heap weight, activations and the thread count. */
@State(Scope.Benchmark)
public abstract class WeightProduct {
    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private Weight weight;
    private int tokens;
    private float[] x;
    private float[] out;

    /** A {@code rows x cols} weight of dtype {@code format} against {@code tokens} activation rows. */
    void prepare(String format, int rows, int cols, int tokens) {
        Parallel.setThreads(threads);
        arena = Arena.ofShared();
        weight = Weights.random(format, rows, cols, arena);
        this.tokens = tokens;
        x = Weights.activations(tokens * cols, rows);
        out = new float[tokens * rows];
    }

    float[] multiply() {
        Kernels.matmul(x, tokens, weight, out);
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }
}
