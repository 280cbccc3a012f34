package dev.idefics4j.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Decoding's matrix-vector product per weight format: the idefics-9b MLP up-projection (11008 x 4096, 90 MB in
 * bf16, far beyond the caches) against one or a batch of activation rows. Bytes/op divided by the time is the
 * weight streaming rate.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatVecBenchmark extends WeightProduct {
    @Param({"bf16", "f32", "f16"})
    public String format;

    @Param({"1", "8"})
    public int rows;

    @Setup(Level.Trial)
    public void setUp() {
        prepare(format, 11008, 4096, rows);
    }

    @Benchmark
    public float[] matvec() {
        return multiply();
    }
}
