package dev.idefics4j.bench;

import dev.idefics4j.tensor.Attention;
import dev.idefics4j.tensor.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Attention over all heads as the layers run it (heads in parallel): decoding one token against 512 cached ones
 * (32 heads of 128), a causal 512-token prefill, and an image's 257 tokens (16 heads of 80).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBenchmark {
    @Param({"decode", "prefill", "vision"})
    public String mode;

    @Param({"1", "2"})
    public int threads;

    private int heads;
    private int dim;
    private int queries;
    private int keys;
    private int[] limits;
    private float[] q;
    private float[] k;
    private float[] v;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        boolean vision = mode.equals("vision");
        heads = vision ? 16 : 32;
        dim = vision ? 80 : 128;
        queries = switch (mode) {
            case "decode" -> 1;
            case "prefill" -> 512;
            default -> 257;
        };
        keys = mode.equals("decode") ? 513 : queries;
        if (!vision) {
            limits = new int[queries];
            for (int i = 0; i < queries; i++) {
                limits[i] = keys - queries + i + 1;
            }
        }
        int width = heads * dim;
        q = Weights.activations(queries * width, 3);
        k = Weights.activations(keys * width, 4);
        v = Weights.activations(keys * width, 5);
        out = new float[queries * width];
    }

    @Benchmark
    public float[] attention() {
        int width = heads * dim;
        float scale = (float) (1 / Math.sqrt(dim));
        Parallel.forEach(heads, true, h -> Attention.attendHead(q, h * dim, width, k, h * dim, width, v, h * dim,
                width, queries, keys, dim, scale, limits, null, out, h * dim, width));
        return out;
    }
}
