package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.NativeDecoding;
import dev.idefics4j.tensor.PanelSource;
import dev.idefics4j.tensor.Parallel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Products with an int8 row-wise weight. The Vector API has no int8 dot product, so bytes are widened to float
 * lanes in registers and multiplied-added with the float activations; the row's scale is applied once per dot.
 */
final class Int8Kernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** L bytes, widened to one float vector (at least 64 bits; narrower float vectors take the scalar loop). */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Int8Kernels() {
    }

    static void matmul(Int8Weight w, float[] x, int n, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        w.checkMatmul(x, n, out);
        MemorySegment q = w.values();
        if (n <= Kernels.NATIVE_DECODE_MAX_ROWS && NativeDecoding.takesInt8()) {
            NativeDecoding.int8(x, n, rows, cols, q, w.rowScales(), out);
        } else if (n == 1) {
            oneToken(w, x, out);
        } else if (n > Kernels.GEMV_MAX_ROWS) {
            // Prefill and images: the tiled product, on panels widened and scaled as it needs them.
            Kernels.matmul(x, n, PanelSource.decoded(rows, cols, rangeDecoder(w)), out);
        } else {
            fewTokens(w, x, n, out);
        }
    }

    /** The Java kernel for two to eight tokens: each row widened once and reused for all n tokens. */
    static void fewTokens(Int8Weight w, float[] x, int n, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        MemorySegment q = w.values();
        Parallel.forChunks((rows + 3) / 4, (long) cols * n * 4, (b0, b1) -> {
            float[] block = new float[4 * cols];
            float[] scale = new float[4];
            for (int b = b0; b < b1; b++) {
                int count = Math.min(4, rows - 4 * b);
                for (int i = 0; i < count; i++) {
                    int r = 4 * b + i;
                    widen(q, (long) r * cols, block, i * cols, cols);
                    scale[i] = w.rowScale(r);
                }
                Kernels.dots(block, count, cols, x, n, scale, out, 4 * b, rows);
            }
        });
    }

    /** One token through the Java kernel (where the native one does not run): two rows share each activation load. */
    static void oneToken(Int8Weight w, float[] x, float[] out) {
        int cols = w.cols();
        MemorySegment q = w.values();
        w.checkMatmul(x, 1, out);
        Parallel.forChunks(w.rows(), cols, (r0, r1) -> {
            float[] two = new float[2];
            for (int r = r0; r < r1; r += 2) {
                int r2 = Math.min(r + 1, r1 - 1); // a lone last row pairs with itself
                dotTwoRows(q, (long) r * cols, (long) r2 * cols, x, cols, two);
                out[r] = two[0] * w.rowScale(r);
                out[r2] = two[1] * w.rowScale(r2);
            }
        });
    }

    /** {@code W[r][k0 .. k0 + kc)} widened and scaled ({@code q * SCB / 127}), for the tiled product's panels. */
    static PanelSource.RowDecoder rangeDecoder(Int8Weight w) {
        int cols = w.cols();
        MemorySegment q = w.values();
        return (r, k0, kc, dst, off) -> {
            float s = w.rowScale(r);
            long base = (long) r * cols + k0;
            int k = 0;
            if (L >= 8) {
                FloatVector sv = FloatVector.broadcast(F, s);
                for (; k + L <= kc; k += L) {
                    ((FloatVector) ByteVector.fromMemorySegment(B, q, base + k, LE)
                            .convertShape(VectorOperators.B2F, F, 0)).mul(sv).intoArray(dst, off + k);
                }
            }
            for (; k < kc; k++) {
                dst[off + k] = q.get(ValueLayout.JAVA_BYTE, base + k) * s;
            }
        };
    }

    /**
     * {@code sum_k q[off + k] * x[k]} and the same for {@code off2}, sharing the activation loads; two weight streams
     * keep more memory reads in flight than one.
     */
    private static void dotTwoRows(MemorySegment q, long off, long off2, float[] x, int n, float[] out) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F);
        FloatVector b1 = FloatVector.zero(F);
        int i = 0;
        if (L >= 8) {
            // Spelled out: a helper returning the widened vector risks not being inlined, and then every vector
            // is boxed.
            for (; i <= n - 2 * L; i += 2 * L) {
                FloatVector x0 = FloatVector.fromArray(F, x, i);
                FloatVector x1 = FloatVector.fromArray(F, x, i + L);
                FloatVector w0 = (FloatVector) ByteVector.fromMemorySegment(B, q, off + i, LE)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector w1 = (FloatVector) ByteVector.fromMemorySegment(B, q, off + i + L, LE)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector v0 = (FloatVector) ByteVector.fromMemorySegment(B, q, off2 + i, LE)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector v1 = (FloatVector) ByteVector.fromMemorySegment(B, q, off2 + i + L, LE)
                        .convertShape(VectorOperators.B2F, F, 0);
                a0 = w0.fma(x0, a0);
                a1 = w1.fma(x1, a1);
                b0 = v0.fma(x0, b0);
                b1 = v1.fma(x1, b1);
            }
            for (; i <= n - L; i += L) {
                FloatVector x0 = FloatVector.fromArray(F, x, i);
                FloatVector w0 = (FloatVector) ByteVector.fromMemorySegment(B, q, off + i, LE)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector v0 = (FloatVector) ByteVector.fromMemorySegment(B, q, off2 + i, LE)
                        .convertShape(VectorOperators.B2F, F, 0);
                a0 = w0.fma(x0, a0);
                b0 = v0.fma(x0, b0);
            }
        }
        float sa = a0.add(a1).reduceLanes(VectorOperators.ADD);
        float sb = b0.add(b1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sa += q.get(ValueLayout.JAVA_BYTE, off + i) * x[i];
            sb += q.get(ValueLayout.JAVA_BYTE, off2 + i) * x[i];
        }
        out[0] = sa;
        out[1] = sb;
    }

    private static void widen(MemorySegment q, long off, float[] row, int ro, int n) {
        int i = 0;
        if (L >= 8) {
            for (; i <= n - L; i += L) {
                FloatVector w = (FloatVector) ByteVector.fromMemorySegment(B, q, off + i, LE)
                        .convertShape(VectorOperators.B2F, F, 0);
                w.intoArray(row, ro + i);
            }
        }
        for (; i < n; i++) {
            row[ro + i] = q.get(ValueLayout.JAVA_BYTE, off + i);
        }
    }
}
