package dev.idefics4j.bench;

import dev.idefics4j.tensor.BFloat16;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.Weight;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Random weights and activations for the benchmarks, in 64-byte-aligned off-heap memory as a loader would map. */
final class Weights {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Weights() {
    }

    static Weight random(String dtype, int rows, int cols, Arena arena) {
        DType d = DType.valueOf(dtype.toUpperCase());
        long n = (long) rows * cols;
        MemorySegment seg = arena.allocate(n * d.byteSize(), 64);
        SplittableRandom rnd = new SplittableRandom(rows * 31L + cols);
        double scale = Math.sqrt(3.0 / cols);
        for (long i = 0; i < n; i++) {
            float v = (float) (scale * (2 * rnd.nextDouble() - 1));
            switch (d) {
                case F32 -> seg.setAtIndex(FLOAT, i, v);
                case BF16 -> seg.setAtIndex(SHORT, i, BFloat16.fromFloat(v));
                case F16 -> seg.setAtIndex(SHORT, i, Float.floatToFloat16(v));
                default -> throw new IllegalArgumentException("no " + d + " weights");
            }
        }
        return new Weight(dtype + "-" + rows + "x" + cols, d, rows, cols, seg);
    }

    static float[] activations(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }
}
