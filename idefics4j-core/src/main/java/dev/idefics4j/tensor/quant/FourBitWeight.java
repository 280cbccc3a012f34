package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.PanelSource;

import java.lang.foreign.MemorySegment;

/**
 * A linear weight [rows, cols] in bitsandbytes' 4-bit blockwise format: the weight flattened row-major, cut into
 * blocks of {@code blocksize} values (64 by default; a block may straddle rows), each block scaled by its absmax
 * into [-1, 1] and every value replaced by a 4-bit {@link FourBitCode} (the entry bitsandbytes' decision tree picks,
 * nearly always the nearest); two codes per byte, element 2j in the high nibble. Only the packed codes and the
 * scales are kept, off-heap.
 */
public final class FourBitWeight extends QuantizedWeight {
    private final FourBitCode code;
    private final float[] table;
    private final int blocksize;
    private final MemorySegment packed;
    private final BlockScales scales;
    private final DType sourceDtype;

    FourBitWeight(String name, int rows, int cols, FourBitCode code, float[] table, int blocksize,
                  MemorySegment packed, BlockScales scales, DType sourceDtype) {
        super(name, rows, cols);
        long numel = (long) rows * cols;
        if (table.length != 16) {
            throw new IllegalArgumentException(name + ": a 4-bit quant map has 16 entries, not " + table.length);
        }
        if (blocksize < 2 || blocksize % 2 != 0) {
            throw new IllegalArgumentException(name + ": blocksize must be even, got " + blocksize);
        }
        if (packed.byteSize() != (numel + 1) / 2) {
            throw new IllegalArgumentException(name + ": " + packed.byteSize() + " packed bytes for [" + rows + ", "
                    + cols + "]; expected " + (numel + 1) / 2);
        }
        if (scales.blocks() != (numel + blocksize - 1) / blocksize) {
            throw new IllegalArgumentException(name + ": " + scales.blocks() + " absmax scales for " + numel
                    + " values in blocks of " + blocksize);
        }
        this.code = code;
        this.table = table.clone();
        this.blocksize = blocksize;
        this.packed = packed;
        this.scales = scales;
        this.sourceDtype = sourceDtype;
    }

    public FourBitCode code() {
        return code;
    }

    public int blocksize() {
        return blocksize;
    }

    public boolean doubleQuantized() {
        return scales instanceof NestedAbsmaxScales;
    }

    /** The dtype the weight was quantized from (bitsandbytes records it as the quant state's dtype). */
    public DType sourceDtype() {
        return sourceDtype;
    }

    /** The table codes index (the stored quant_map); the internal array, not to be modified. */
    float[] table() {
        return table;
    }

    MemorySegment packed() {
        return packed;
    }

    BlockScales scales() {
        return scales;
    }

    @Override
    public PanelSource.RowDecoder rowDecoder() {
        return FourBitKernels.rangeDecoder(this);
    }

    @Override
    public void matmul(float[] x, int n, float[] out) {
        FourBitKernels.matmul(this, x, n, out);
    }

    /** As bitsandbytes' dequantize_4bit computes it: {@code table[code] * absmax} in float32. */
    @Override
    public float[] dequantize() {
        float[] out = new float[Math.multiplyExact(rows(), cols())];
        float[] s = new float[cols() / blocksize + 2];
        for (int r = 0; r < rows(); r++) {
            FourBitKernels.decodeRowScalar(this, r, out, r * cols(), s);
        }
        return out;
    }

    @Override
    public long byteSize() {
        return packed.byteSize() + scales.byteSize() + 4L * table.length;
    }
}
