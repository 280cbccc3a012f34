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
 * The tiled GEMM on IDEFICS shapes: a 512-token prefill through the 9b attention projection (4096 x 4096) and an
 * image's 257 tokens through the ViT-H MLP (5120 x 1280). FLOPs/op = 2 x tokens x rows x cols.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatMulBenchmark extends WeightProduct {
    @Param({"bf16", "f32"})
    public String format;

    @Param({"prefill", "vision"})
    public String shape;

    @Setup(Level.Trial)
    public void setUp() {
        if (shape.equals("prefill")) {
            prepare(format, 4096, 4096, 512);
        } else {
            prepare(format, 5120, 1280, 257);
        }
    }

    @Benchmark
    public float[] matmul() {
        return multiply();
    }
}
