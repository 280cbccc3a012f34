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

    /** A weight [out, in] in its stored dtype, its rows widened into floats as panels need them. */
    static PanelSource of(Weight w) {
        return decoded(w.rows(), w.cols(), w.rowDecoder());
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
     * A weight whose rows {@code decoder} turns into floats on demand (stored bf16/f16/f32, or quantized): each panel
     * decodes just its rows and depth range into a per-thread scratch and transposes it, so no float copy of the
     * weight ever exists.
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
