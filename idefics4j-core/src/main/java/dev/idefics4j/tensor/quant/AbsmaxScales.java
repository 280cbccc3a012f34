package dev.idefics4j.tensor.quant;

import java.lang.foreign.MemorySegment;

/** One float32 absmax per block (bitsandbytes without double quantization: 4 bytes per 64 weights). */
record AbsmaxScales(MemorySegment absmax) implements BlockScales {
    static AbsmaxScales of(float[] absmax) {
        return new AbsmaxScales(OffHeap.floats(absmax));
    }

    @Override
    public long blocks() {
        return absmax.byteSize() / 4;
    }

    @Override
    public void decode(long first, int count, float[] out) {
        MemorySegment.copy(absmax, OffHeap.FLOAT_LE, 4 * first, out, 0, count);
    }

    @Override
    public long byteSize() {
        return absmax.byteSize();
    }
}
