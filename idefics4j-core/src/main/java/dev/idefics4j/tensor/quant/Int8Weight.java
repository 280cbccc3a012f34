package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.PanelSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A linear weight [rows, cols] in LLM.int8's row-wise format (bitsandbytes {@code int8_vectorwise_quant}): each row
 * scaled by its absmax ({@code SCB}) to int8, {@code round(127 * w / absmax)}; {@code w ≈ q * SCB / 127}. The
 * activations stay float32 (bitsandbytes also quantizes them, with an fp16 path for outlier columns), so the only
 * error is the weight's.
 */
public final class Int8Weight extends QuantizedWeight {
    private final MemorySegment q;
    private final MemorySegment scb;
    private final float[] rowScale;

    Int8Weight(String name, int rows, int cols, MemorySegment q, MemorySegment scb) {
        super(name, rows, cols);
        if (q.byteSize() != (long) rows * cols || scb.byteSize() != 4L * rows) {
            throw new IllegalArgumentException(name + ": " + q.byteSize() + " int8 values and " + scb.byteSize() / 4
                    + " row scales for [" + rows + ", " + cols + "]");
        }
        this.q = q;
        this.scb = scb;
        this.rowScale = OffHeap.toFloats(scb);
        for (int r = 0; r < rows; r++) {
            rowScale[r] /= 127f;
        }
    }

    /** Row-wise absmax quantization of {@code w}, rows in parallel. */
    static Int8Weight quantize(dev.idefics4j.tensor.Weight w) {
        int rows = w.rows();
        int cols = w.cols();
        MemorySegment q = OffHeap.allocate((long) rows * cols);
        float[] absmax = new float[rows];
        dev.idefics4j.tensor.Parallel.forChunks(rows, cols, (r0, r1) -> {
            float[] row = new float[cols];
            for (int r = r0; r < r1; r++) {
                w.readRow(r, row, 0);
                float max = 0;
                for (int k = 0; k < cols; k++) {
                    // bitsandbytes casts the weight to float16 before quantizing (Int8Params._quantize).
                    row[k] = Float.float16ToFloat(Float.floatToFloat16(row[k]));
                    max = Math.max(max, Math.abs(row[k]));
                }
                absmax[r] = max;
                float scale = max == 0 ? 0f : 127f / max;
                long base = (long) r * cols;
                for (int k = 0; k < cols; k++) {
                    q.set(ValueLayout.JAVA_BYTE, base + k, (byte) Math.rint(row[k] * scale));
                }
            }
        });
        return new Int8Weight(w.name(), rows, cols, q, OffHeap.floats(absmax));
    }

    MemorySegment values() {
        return q;
    }

    /** The per-row absmax (bitsandbytes' SCB), float32 [rows]. */
    MemorySegment scb() {
        return scb;
    }

    /** Every row's scale ({@code SCB / 127}); not to be modified. */
    float[] rowScales() {
        return rowScale;
    }

    /** {@code SCB[r] / 127}: the factor turning row r's int8 dot product into the float one. */
    float rowScale(int r) {
        return rowScale[r];
    }

    @Override
    public PanelSource.RowDecoder rowDecoder() {
        return Int8Kernels.rangeDecoder(this);
    }

    @Override
    public void matmul(float[] x, int n, float[] out) {
        Int8Kernels.matmul(this, x, n, out);
    }

    /** {@code q * (SCB / 127)}. */
    @Override
    public float[] dequantize() {
        int cols = cols();
        float[] out = new float[Math.multiplyExact(rows(), cols)];
        for (int r = 0; r < rows(); r++) {
            for (int k = 0; k < cols; k++) {
                out[r * cols + k] = q.get(ValueLayout.JAVA_BYTE, (long) r * cols + k) * rowScale[r];
            }
        }
        return out;
    }

    /** Always {@link DType#I8}; with {@link #scb()} the layout bitsandbytes serializes. */
    public DType dtype() {
        return DType.I8;
    }

    @Override
    public long byteSize() {
        return q.byteSize() + scb.byteSize();
    }
}
