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
    /** Up to this many activation rows the weights are streamed row by row; beyond, tiles are packed and reused. */
    public static final int GEMV_MAX_ROWS = 8;
    /**
     * Up to this many activation rows the native decoding kernels ({@link NativeDecoding}) serve bf16, int8 and 4-bit
     * weights where the library runs: their tiles take four tokens a pass over rows held in cache, and beat the
     * tiled product on widened or decoded panels up to about this many tokens. Measured on 11008x4096, two threads:
     * 2.0-2.2x faster for 16 tokens, 1.5-1.8x for 32, 1.3-1.4x for 48, and 0.9-0.95x for 96.
     */
    public static final int NATIVE_DECODE_MAX_ROWS = 64;

    private Kernels() {
    }

    /**
     * The sum of a vector's lanes in one fixed order. {@code reduceLanes(ADD)} adds in a different order once the
     * JIT has compiled it than while interpreted, so the same call would round differently before and after
     * warm-up; scalar adds in a fixed order cannot. (The lanes go through an array: a helper method taking the
     * vector would box it whenever the JIT declines to inline it.)
     */
    public static float sum(FloatVector v) {
        return sumLanes(v.toArray(), 0);
    }

    /** {@code sum(lanes[off, off + L))}, four interleaved partial sums combined pairwise. */
    static float sumLanes(float[] lanes, int off) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int i = 0; i < L; i += 4) {
            s0 += lanes[off + i];
            s1 += lanes[off + i + 1];
            s2 += lanes[off + i + 2];
            s3 += lanes[off + i + 3];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Widens {@code n} elements starting at element {@code from} of {@code src} into {@code out[off..]}. */
    public static void widen(MemorySegment src, DType dtype, long from, float[] out, int off, int n) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, FLOAT_LE, from * 4, out, off, n);
            case BF16 -> {
                int i = 0;
                long base = from * 2;
                for (; i <= n - L; i += L) {
                    // Written out rather than called: a non-inlined helper would box every vector it returns.
                    ShortVector h = ShortVector.fromMemorySegment(S, src, base + 2L * i, LE);
                    ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                            .reinterpretAsFloats().intoArray(out, off + i);
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
        float[] lanes = new float[L];
        acc0.add(acc1).add(acc2.add(acc3)).intoArray(lanes, 0);
        float sum = sumLanes(lanes, 0);
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    /**
     * {@code out[t * outStride + r0 + i] = scale[i] * dot(rows[i * cols, (i + 1) * cols), x[t * cols, (t + 1) * cols))}
     * for the {@code count} (at most 4) decoded weight rows i and every token t in [0, tokens): quantized weights
     * while decoding a batch. Four rows against four tokens per pass, so each load of a row or of a token's
     * activations (from L2: a few tokens' activations outgrow L1) feeds four multiply-adds.
     */
    public static void dots(float[] rows, int count, int cols, float[] x, int tokens, float[] scale, float[] out,
                            int r0, int outStride) {
        float[] lanes = new float[16 * L];
        int full = cols - cols % L;
        int c1 = Math.min(1, count - 1) * cols, c2 = Math.min(2, count - 1) * cols, c3 = (count - 1) * cols;
        int t = 0;
        for (; t < tokens; t += 4) {
            // A partial group repeats its last token (and a partial block its last row); repeats are not stored.
            int x0 = t * cols, x1 = Math.min(t + 1, tokens - 1) * cols;
            int x2 = Math.min(t + 2, tokens - 1) * cols, x3 = Math.min(t + 3, tokens - 1) * cols;
            FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
            FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
            FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            for (int k = 0; k < full; k += L) {
                FloatVector w0 = FloatVector.fromArray(F, rows, k), w1 = FloatVector.fromArray(F, rows, c1 + k);
                FloatVector w2 = FloatVector.fromArray(F, rows, c2 + k), w3 = FloatVector.fromArray(F, rows, c3 + k);
                FloatVector v = FloatVector.fromArray(F, x, x0 + k);
                a00 = w0.fma(v, a00);
                a10 = w1.fma(v, a10);
                a20 = w2.fma(v, a20);
                a30 = w3.fma(v, a30);
                v = FloatVector.fromArray(F, x, x1 + k);
                a01 = w0.fma(v, a01);
                a11 = w1.fma(v, a11);
                a21 = w2.fma(v, a21);
                a31 = w3.fma(v, a31);
                v = FloatVector.fromArray(F, x, x2 + k);
                a02 = w0.fma(v, a02);
                a12 = w1.fma(v, a12);
                a22 = w2.fma(v, a22);
                a32 = w3.fma(v, a32);
                v = FloatVector.fromArray(F, x, x3 + k);
                a03 = w0.fma(v, a03);
                a13 = w1.fma(v, a13);
                a23 = w2.fma(v, a23);
                a33 = w3.fma(v, a33);
            }
            a00.intoArray(lanes, 0);
            a01.intoArray(lanes, L);
            a02.intoArray(lanes, 2 * L);
            a03.intoArray(lanes, 3 * L);
            a10.intoArray(lanes, 4 * L);
            a11.intoArray(lanes, 5 * L);
            a12.intoArray(lanes, 6 * L);
            a13.intoArray(lanes, 7 * L);
            a20.intoArray(lanes, 8 * L);
            a21.intoArray(lanes, 9 * L);
            a22.intoArray(lanes, 10 * L);
            a23.intoArray(lanes, 11 * L);
            a30.intoArray(lanes, 12 * L);
            a31.intoArray(lanes, 13 * L);
            a32.intoArray(lanes, 14 * L);
            a33.intoArray(lanes, 15 * L);
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < 4 && t + j < tokens; j++) {
                    float sum = sumLanes(lanes, (i * 4 + j) * L);
                    int ro = i * cols, xo = (t + j) * cols;
                    for (int k = full; k < cols; k++) {
                        sum += rows[ro + k] * x[xo + k];
                    }
                    out[(t + j) * outStride + r0 + i] = sum * scale[i];
                }
            }
        }
    }

    /**
     * {@code out[t][r] = sum_k x[t][k] * W[r][k]} for t in [0, n): a linear layer without bias. A few rows
     * (decoding) stream the weights once for all of them ({@link Gemv}, or for bf16 the native kernel where the
     * library runs, {@link Bf16Dot#decode}: the same float32 products, summed in another order, but with software
     * prefetch, which the Vector API lacks, and tiles of five rows by four tokens: eight tokens of 11008x4096 in
     * 0.81 of the Java kernel's time, sixteen in 0.49 of the tiled product's, alternating in one process;
     * {@code -Didefics4j.native.decode=false} keeps the Java kernels); many rows (prefill, images) go through
     * the tiled {@link Gemm}, which reuses each widened weight tile for every row.
     */
    public static void matmul(float[] x, int n, Weight w, float[] out) {
        int in = w.cols();
        int rows = w.rows();
        checkMatmul(w.name(), x, n, in, out, rows);
        if (n <= NATIVE_DECODE_MAX_ROWS && w.dtype() == DType.BF16 && L == 16 && NativeDecoding.available()) {
            Bf16Dot.decode(x, n, w, out);
        } else if (n <= NATIVE_DECODE_MAX_ROWS && w.dtype() == DType.BF16 && NativeDecoding.takesBf16WithAvx2()) {
            NativeDecoding.bf16Avx2(x, n, w, out);
        } else if (n > GEMV_MAX_ROWS || w.dtype() == DType.F16) {
            matmul(x, n, PanelSource.of(w), out);
        } else {
            Gemv.multiply(x, n, w, out);
        }
    }

    /**
     * {@code outs[i] = x · ws[i]ᵀ} for weights that all take the same {@code n} rows of {@code x} (a layer's q, k and
     * v; gate and up). Where they are all stored bf16 weights that the native decoding kernel takes, one parallel
     * loop runs over the tiles of all of them ({@link Bf16Dot#decodeEach}): a decoding step of a small model hands
     * its threads hundreds of loops, and each costs a hand-off besides its work. Elsewhere each weight multiplies
     * in turn. Every output is what {@link MatrixWeight#matmul} gives it.
     */
    public static void matmulEach(float[] x, int n, MatrixWeight[] ws, float[][] outs) {
        if (n <= NATIVE_DECODE_MAX_ROWS && L == 16 && NativeDecoding.available() && storedBf16OfOneDepth(ws)) {
            Weight[] stored = new Weight[ws.length];
            for (int i = 0; i < ws.length; i++) {
                stored[i] = (Weight) ws[i];
            }
            Bf16Dot.decodeEach(x, n, stored, outs);
            return;
        }
        for (int i = 0; i < ws.length; i++) {
            ws[i].matmul(x, n, outs[i]);
        }
    }

    private static boolean storedBf16OfOneDepth(MatrixWeight[] ws) {
        for (MatrixWeight w : ws) {
            if (!(w instanceof Weight stored) || stored.dtype() != DType.BF16 || w.cols() != ws[0].cols()) {
                return false;
            }
        }
        return true;
    }

    /** Fails, naming {@code name}, unless x holds n rows of {@code cols} and out n rows of {@code rows}. */
    public static void checkMatmul(String name, float[] x, int n, int cols, float[] out, int rows) {
        if (x.length < (long) n * cols || out.length < (long) n * rows) {
            throw new IllegalArgumentException(name + ": matmul of " + n + "x" + cols + " into " + n + "x" + rows
                    + " with arrays of " + x.length + " and " + out.length);
        }
    }

    /**
     * {@code out[t][r] = sum_k x[t][k] * B[r][k]} through the tiled {@link Gemm}, whatever holds B: for stored and
     * quantized weights alike when {@code n} exceeds {@link #GEMV_MAX_ROWS}, their panels decoded on demand.
     */
    public static void matmul(float[] x, int n, PanelSource b, float[] out) {
        Gemm.multiply(x, 0, b.depth(), n, b, out, 0, b.rows(), true);
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
