package dev.idefics4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A weight kept in another form (quantized) whose products of many tokens go through the bf16 dot-product kernel:
 * its rows are decoded, rounded to bf16 and multiplied panel by panel ({@link Bf16Dot#multiply(float[], int, int,
 * int, PanelSource.RowDecoder, float[])}), which is what bitsandbytes does with a bf16 compute dtype. Decoding a few
 * tokens keeps the weight's own float32 kernels.
 */
public record Bf16DotDecodedWeight(MatrixWeight inner) implements MatrixWeight {
    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public int rows() {
        return inner.rows();
    }

    @Override
    public int cols() {
        return inner.cols();
    }

    @Override
    public void matmul(float[] x, int n, float[] out) {
        if (n > Kernels.GEMV_MAX_ROWS) {
            Bf16Dot.multiply(x, n, inner.rows(), inner.cols(), inner.rowDecoder(), out);
        } else {
            inner.matmul(x, n, out);
        }
    }

    @Override
    public boolean bf16DotProducts() {
        return true;
    }

    @Override
    public PanelSource.RowDecoder rowDecoder() {
        return inner.rowDecoder();
    }

    @Override
    public boolean readsFrom(MemorySegment data) {
        return inner.readsFrom(data);
    }

    @Override
    public long byteSize() {
        return inner.byteSize();
    }
}
