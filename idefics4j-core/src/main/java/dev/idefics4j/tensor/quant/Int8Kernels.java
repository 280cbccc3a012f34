package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.Kernels;
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
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));

    private Int8Kernels() {
    }

    static void matmul(Int8Weight w, float[] x, int n, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        w.checkMatmul(x, n, out);
        MemorySegment q = w.values();
        if (n == 1) {
            Parallel.forChunks(rows, cols, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    out[r] = dot(q, (long) r * cols, x, cols) * w.rowScale(r);
                }
            });
        } else {
            // Widen each row once and reuse it for all n tokens.
            Parallel.forChunks(rows, (long) cols * n, (r0, r1) -> {
                float[] row = new float[cols];
                for (int r = r0; r < r1; r++) {
                    widen(q, (long) r * cols, row, cols);
                    float s = w.rowScale(r);
                    for (int t = 0; t < n; t++) {
                        out[t * rows + r] = Kernels.dot(row, 0, x, t * cols, cols) * s;
                    }
                }
            });
        }
    }

    private static FloatVector lanes(MemorySegment q, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, q, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    /** {@code sum_k q[off + k] * x[k]}, four accumulators. */
    static float dot(MemorySegment q, long off, float[] x, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
        int i = 0;
        if (L >= 8) {
            for (; i <= n - 4 * L; i += 4 * L) {
                acc0 = lanes(q, off + i).fma(FloatVector.fromArray(F, x, i), acc0);
                acc1 = lanes(q, off + i + L).fma(FloatVector.fromArray(F, x, i + L), acc1);
                acc2 = lanes(q, off + i + 2 * L).fma(FloatVector.fromArray(F, x, i + 2 * L), acc2);
                acc3 = lanes(q, off + i + 3 * L).fma(FloatVector.fromArray(F, x, i + 3 * L), acc3);
            }
            for (; i <= n - L; i += L) {
                acc0 = lanes(q, off + i).fma(FloatVector.fromArray(F, x, i), acc0);
            }
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += q.get(ValueLayout.JAVA_BYTE, off + i) * x[i];
        }
        return sum;
    }

    private static void widen(MemorySegment q, long off, float[] row, int n) {
        int i = 0;
        if (L >= 8) {
            for (; i <= n - L; i += L) {
                lanes(q, off + i).intoArray(row, i);
            }
        }
        for (; i < n; i++) {
            row[i] = q.get(ValueLayout.JAVA_BYTE, off + i);
        }
    }
}
