package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.MatrixWeight;

/** What every quantized linear weight has: its name and shape, and the argument check of its product. */
abstract sealed class QuantizedWeight implements MatrixWeight permits FourBitWeight, Int8Weight {
    private final String name;
    private final int rows;
    private final int cols;

    QuantizedWeight(String name, int rows, int cols) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int rows() {
        return rows;
    }

    @Override
    public final int cols() {
        return cols;
    }

    /** The weight as float32 [rows * cols], as bitsandbytes dequantizes it (tests, small weights). */
    public abstract float[] dequantize();

    void checkMatmul(float[] x, int n, float[] out) {
        Kernels.checkMatmul(name, x, n, cols, out, rows);
    }
}
