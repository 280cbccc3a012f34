package dev.idefics4j.tensor.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Off-heap storage for quantized weights: 64-byte aligned (a cache line, and an AVX-512 vector) so vector loads never
 * straddle lines, freed by the garbage collector once the weight is unreachable (no close to forget).
 */
final class OffHeap {
    static final long ALIGNMENT = 64;
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private OffHeap() {
    }

    static MemorySegment allocate(long bytes) {
        return Arena.ofAuto().allocate(Math.max(1, bytes), ALIGNMENT).asSlice(0, bytes);
    }

    /** {@code source} itself when it is aligned (a well-placed mapped tensor), else an aligned copy. */
    static MemorySegment aligned(MemorySegment source) {
        if (source.address() % ALIGNMENT == 0) {
            return source;
        }
        MemorySegment copy = allocate(source.byteSize());
        copy.copyFrom(source);
        return copy;
    }

    static MemorySegment floats(float[] values) {
        MemorySegment s = allocate(4L * values.length);
        MemorySegment.copy(values, 0, s, FLOAT_LE, 0, values.length);
        return s;
    }

    static float[] toFloats(MemorySegment s) {
        float[] out = new float[Math.toIntExact(s.byteSize() / 4)];
        MemorySegment.copy(s, FLOAT_LE, 0, out, 0, out.length);
        return out;
    }
}
