package dev.idefics4j.tensor.quant;

import java.lang.foreign.MemorySegment;

/** The absmax scale of every block of a blockwise-quantized weight, stored plainly or double-quantized. */
sealed interface BlockScales permits AbsmaxScales, NestedAbsmaxScales {
    long blocks();

    /** Scales of blocks [first, first + count) into {@code out[0..count)}. */
    void decode(long first, int count, float[] out);

    long byteSize();

    /** The scales as bitsandbytes stores its {@code absmax}: float32, or uint8 codes when nested. */
    MemorySegment absmax();
}
