package dev.idefics4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The right-hand matrix of {@link Gemm}, {@code B [rows, depth]}, wherever it lies, packed on demand into the
 * layout the micro-kernel streams: a panel of {@code width} consecutive rows and {@code kc} consecutive depth
 * indices as {@code dst[k * width + j] = B[r0 + j][k0 + k]} (float32, rows past the end zero). Weights are stored
 * row-major [out, in], so packing them transposes; attention values are already [depth, rows] and are copied.
 */
public interface PanelSource {
    int rows();

    int depth();

    void pack(int r0, int width, int k0, int kc, float[] dst);

    /** A weight [out, in] in its stored dtype. */
    static PanelSource of(Weight w) {
        return new WeightRows(w);
    }

    /** {@code B[r][k] = a[base + r * stride + k]}: rows of a float array (attention keys). */
    static PanelSource rows(float[] a, int base, int stride, int rows, int depth) {
        return new ArrayRows(a, base, stride, rows, depth);
    }

    /** {@code B[r][k] = a[base + k * stride + r]}: columns of a float array (attention values). */
    static PanelSource columns(float[] a, int base, int stride, int rows, int depth) {
        return new ArrayColumns(a, base, stride, rows, depth);
    }

    /**
     * A weight kept in another form (quantized), whose rows {@code decoder} turns into floats on demand: each panel
     * decodes just its rows and depth range into a per-thread scratch and transposes it, so no dequantized copy of
     * the weight ever exists and prefill-sized products still run on the tiled kernel.
     */
    static PanelSource decoded(int rows, int depth, RowDecoder decoder) {
        return new DecodedRows(rows, depth, decoder);
    }

    /** Writes {@code B[row][k0 .. k0 + kc)} as floats into {@code dst[off ..]}. */
    @FunctionalInterface
    interface RowDecoder {
        void decode(int row, int k0, int kc, float[] dst, int off);
    }

    record DecodedRows(int rows, int depth, RowDecoder decoder) implements PanelSource {
        @Override
        public void pack(int r0, int width, int k0, int kc, float[] dst) {
            float[] scratch = Gemm.scratch();
            int valid = Math.min(width, rows - r0);
            for (int j = 0; j < valid; j++) {
                decoder.decode(r0 + j, k0, kc, scratch, j * Gemm.KC);
            }
            Transposer.transpose(scratch, 0, Gemm.KC, valid, width, kc, dst);
        }
    }

    /** Widens weight rows into a row-major scratch, then gathers them transposed into the panel. */
    record WeightRows(Weight w) implements PanelSource {
        @Override
        public int rows() {
            return w.rows();
        }

        @Override
        public int depth() {
            return w.cols();
        }

        @Override
        public void pack(int r0, int width, int k0, int kc, float[] dst) {
            float[] scratch = Gemm.scratch();
            int valid = Math.min(width, w.rows() - r0);
            MemorySegment data = w.data();
            for (int j = 0; j < valid; j++) {
                Kernels.widen(data, w.dtype(), (long) (r0 + j) * w.cols() + k0, scratch, j * Gemm.KC, kc);
            }
            Transposer.transpose(scratch, 0, Gemm.KC, valid, width, kc, dst);
        }
    }

    record ArrayRows(float[] a, int base, int stride, int rows, int depth) implements PanelSource {
        @Override
        public void pack(int r0, int width, int k0, int kc, float[] dst) {
            Transposer.transpose(a, base + r0 * stride + k0, stride, Math.min(width, rows - r0), width, kc, dst);
        }
    }

    record ArrayColumns(float[] a, int base, int stride, int rows, int depth) implements PanelSource {
        @Override
        public void pack(int r0, int width, int k0, int kc, float[] dst) {
            int valid = Math.min(width, rows - r0);
            for (int k = 0; k < kc; k++) {
                int src = base + (k0 + k) * stride + r0;
                int o = k * width;
                System.arraycopy(a, src, dst, o, valid);
                java.util.Arrays.fill(dst, o + valid, o + width, 0f);
            }
        }
    }
}
