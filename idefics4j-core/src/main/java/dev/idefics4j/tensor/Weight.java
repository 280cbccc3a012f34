package dev.idefics4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight matrix [rows, cols] (rows = output features, as PyTorch stores {@code nn.Linear.weight}) kept in its
 * stored dtype where it lies, usually a memory-mapped checkpoint; kernels widen it to float32 as they read.
 */
public record Weight(String name, DType dtype, int rows, int cols, MemorySegment data) implements MatrixWeight {
    public Weight {
        if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalArgumentException(name + ": weights must be F32, BF16 or F16, not " + dtype);
        }
        if (data.byteSize() != (long) rows * cols * dtype.byteSize()) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for [" + rows + ", " + cols
                    + "] " + dtype);
        }
    }

    /** Row {@code r} widened to float32 into {@code out[outOffset..]}. */
    public void readRow(int r, float[] out, int outOffset) {
        Kernels.widen(data, dtype, (long) r * cols, out, outOffset, cols);
    }

    /** The whole matrix as float32 (for small tensors only). */
    public float[] toFloats() {
        float[] out = new float[rows * cols];
        Kernels.widen(data, dtype, 0, out, 0, rows * cols);
        return out;
    }

    @Override
    public long byteSize() {
        return data.byteSize();
    }

    @Override
    public PanelSource.RowDecoder rowDecoder() {
        return (r, k0, kc, dst, off) -> Kernels.widen(data, dtype, (long) r * cols + k0, dst, off, kc);
    }

    @Override
    public boolean readsFrom(MemorySegment other) {
        return data.address() == other.address();
    }

    @Override
    public void matmul(float[] x, int n, float[] out) {
        Kernels.matmul(x, n, this, out);
    }
}
