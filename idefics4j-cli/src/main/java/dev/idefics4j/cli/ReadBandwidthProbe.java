package dev.idefics4j.cli;

import dev.idefics4j.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The machine's read bandwidth as Java sees it: a large page-aligned off-heap buffer read with the Vector API
 * (eight accumulators, so the loads and not the adds are the limit), split evenly over the compute threads.
 * It is the ceiling for streaming weights during decoding.
 */
final class ReadBandwidthProbe implements AutoCloseable {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private volatile float sink;

    ReadBandwidthProbe(long bytes) {
        long block = 64L * F.vectorByteSize();
        buffer = arena.allocate(bytes / block * block, 1 << 21);
        buffer.fill((byte) 1);
    }

    long bytes() {
        return buffer.byteSize();
    }

    /** One timed read of the whole buffer; GB/s. */
    double measure() {
        int threads = Parallel.threads();
        long stride = 8L * F.vectorByteSize();
        long blocks = buffer.byteSize() / stride;
        float[] partial = new float[threads];
        long start = System.nanoTime();
        Parallel.forEach(threads, true, t -> {
            long from = blocks * t / threads * stride;
            long to = blocks * (t + 1) / threads * stride;
            partial[t] = readRange(buffer, from, to);
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        float s = 0;
        for (float p : partial) {
            s += p;
        }
        sink = s;
        return buffer.byteSize() / seconds / 1e9;
    }

    private static float readRange(MemorySegment m, long from, long to) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        long v = F.vectorByteSize();
        for (long o = from; o < to; o += 8 * v) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, m, o, LE));
            a1 = a1.add(FloatVector.fromMemorySegment(F, m, o + v, LE));
            a2 = a2.add(FloatVector.fromMemorySegment(F, m, o + 2 * v, LE));
            a3 = a3.add(FloatVector.fromMemorySegment(F, m, o + 3 * v, LE));
            a4 = a4.add(FloatVector.fromMemorySegment(F, m, o + 4 * v, LE));
            a5 = a5.add(FloatVector.fromMemorySegment(F, m, o + 5 * v, LE));
            a6 = a6.add(FloatVector.fromMemorySegment(F, m, o + 6 * v, LE));
            a7 = a7.add(FloatVector.fromMemorySegment(F, m, o + 7 * v, LE));
        }
        return a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void close() {
        arena.close();
    }

    /** What the reads summed to (kept so the JIT cannot drop them). */
    float sink() {
        return sink;
    }
}
