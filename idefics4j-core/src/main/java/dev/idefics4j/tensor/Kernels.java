package dev.idefics4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The compute kernels: matrix products against weights in their stored dtype, and dot products, on the Vector API.
 * They know nothing about IDEFICS. bf16 is widened by shifting its 16 bits into the top of a float32 lane.
 */
public final class Kernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private Kernels() {
    }

    /** Widens {@code n} elements starting at element {@code from} of {@code src} into {@code out[off..]}. */
    public static void widen(MemorySegment src, DType dtype, long from, float[] out, int off, int n) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, FLOAT_LE, from * 4, out, off, n);
            case BF16 -> {
                int i = 0;
                long base = from * 2;
                for (; i <= n - L; i += L) {
                    bf16Vector(src, base + 2L * i).intoArray(out, off + i);
                }
                for (; i < n; i++) {
                    out[off + i] = BFloat16.toFloat(src.get(SHORT_LE, base + 2L * i));
                }
            }
            case F16 -> {
                long base = from * 2;
                for (int i = 0; i < n; i++) {
                    out[off + i] = Float.float16ToFloat(src.get(SHORT_LE, base + 2L * i));
                }
            }
            default -> throw new IllegalArgumentException("cannot widen " + dtype);
        }
    }

    private static FloatVector bf16Vector(MemorySegment src, long byteOffset) {
        ShortVector s = ShortVector.fromMemorySegment(S, src, byteOffset, LE);
        IntVector wide = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** Dot product of two float arrays, four accumulators to keep the FMA units busy. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            acc0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc0);
            acc1 = FloatVector.fromArray(F, a, ao + i + L).fma(FloatVector.fromArray(F, b, bo + i + L), acc1);
            acc2 = FloatVector.fromArray(F, a, ao + i + 2 * L).fma(FloatVector.fromArray(F, b, bo + i + 2 * L), acc2);
            acc3 = FloatVector.fromArray(F, a, ao + i + 3 * L).fma(FloatVector.fromArray(F, b, bo + i + 3 * L), acc3);
        }
        for (; i <= n - L; i += L) {
            acc0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    /** Dot product of a float32 weight row (mapped) with an activation vector. */
    static float dotF32(MemorySegment w, long byteOffset, float[] x, int xo, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            long o = byteOffset + 4L * i;
            acc0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, xo + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, o + 4L * L, LE).fma(FloatVector.fromArray(F, x, xo + i + L), acc1);
            acc2 = FloatVector.fromMemorySegment(F, w, o + 8L * L, LE).fma(FloatVector.fromArray(F, x, xo + i + 2 * L), acc2);
            acc3 = FloatVector.fromMemorySegment(F, w, o + 12L * L, LE).fma(FloatVector.fromArray(F, x, xo + i + 3 * L), acc3);
        }
        for (; i <= n - L; i += L) {
            acc0 = FloatVector.fromMemorySegment(F, w, byteOffset + 4L * i, LE).fma(FloatVector.fromArray(F, x, xo + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += w.get(FLOAT_LE, byteOffset + 4L * i) * x[xo + i];
        }
        return sum;
    }

    /** Dot product of a bf16 weight row (mapped) with an activation vector. */
    static float dotBf16(MemorySegment w, long byteOffset, float[] x, int xo, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            long o = byteOffset + 2L * i;
            acc0 = bf16Vector(w, o).fma(FloatVector.fromArray(F, x, xo + i), acc0);
            acc1 = bf16Vector(w, o + 2L * L).fma(FloatVector.fromArray(F, x, xo + i + L), acc1);
            acc2 = bf16Vector(w, o + 4L * L).fma(FloatVector.fromArray(F, x, xo + i + 2 * L), acc2);
            acc3 = bf16Vector(w, o + 6L * L).fma(FloatVector.fromArray(F, x, xo + i + 3 * L), acc3);
        }
        for (; i <= n - L; i += L) {
            acc0 = bf16Vector(w, byteOffset + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += BFloat16.toFloat(w.get(SHORT_LE, byteOffset + 2L * i)) * x[xo + i];
        }
        return sum;
    }

    /**
     * {@code out[t][r] = sum_k x[t][k] * W[r][k]} for t in [0, n): a linear layer without bias. Each weight row is
     * read from memory once and used for every token while it is in cache.
     */
    public static void matmul(float[] x, int n, Weight w, float[] out) {
        int in = w.cols();
        int rows = w.rows();
        if (x.length < (long) n * in || out.length < (long) n * rows) {
            throw new IllegalArgumentException(w.name() + ": matmul of " + n + "x" + in + " into " + n + "x" + rows
                    + " with arrays of " + x.length + " and " + out.length);
        }
        MemorySegment data = w.data();
        switch (w.dtype()) {
            case F32 -> Parallel.forChunks(rows, (long) in * n, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    long off = 4L * r * in;
                    for (int t = 0; t < n; t++) {
                        out[t * rows + r] = dotF32(data, off, x, t * in, in);
                    }
                }
            });
            case BF16 -> Parallel.forChunks(rows, (long) in * n, (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    long off = 2L * r * in;
                    for (int t = 0; t < n; t++) {
                        out[t * rows + r] = dotBf16(data, off, x, t * in, in);
                    }
                }
            });
            default -> Parallel.forChunks(rows, (long) in * n, (r0, r1) -> {
                float[] row = new float[in];
                for (int r = r0; r < r1; r++) {
                    w.readRow(r, row, 0);
                    for (int t = 0; t < n; t++) {
                        out[t * rows + r] = dot(row, 0, x, t * in, in);
                    }
                }
            });
        }
    }

    /** {@code y[i] += a * x[i]}. */
    public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, xo + i).fma(av, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }
}
