package dev.idefics4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Matrix product for a few activation rows (decoding: one token per sequence), where streaming the weights from
 * memory is the limit. Each pass holds four weight rows against four tokens in registers, so every weight vector
 * loaded is used for all of them, and the rows just read serve the next group of tokens from cache; a token left
 * over (or a lone one) takes eight rows at once, for as many independent accumulators.
 * <p>
 * Every (row, token) sum has one accumulator, fed in the same order by every kernel, so a token's result does not
 * depend on the tokens beside it: a sequence decodes the same alone or batched.
 * <p>
 * bf16 is widened without a lane conversion: a 32-bit lane holds two bf16 values, {@code lane << 16} is the even
 * one and {@code lane & 0xFFFF0000} the odd one, as float32 bits. The activations are permuted to match once per
 * call (per {@code 2L} block: the even elements, then the odd ones), so the sum is the same dot product taken in
 * a different order.
 */
final class Gemv {
    private static final VectorSpecies<Float> F = Kernels.F;
    private static final VectorSpecies<Integer> I = Kernels.I;
    private static final int L = Kernels.L;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final IntVector EVEN = IntVector.fromArray(I, lanes(0), 0);
    private static final IntVector ODD = IntVector.fromArray(I, lanes(1), 0);
    /** Weight rows of the four-token kernels. */
    private static final int ROWS = 4;
    /** Weight rows per block: those of the lone-token kernels, two passes of the four-token ones. */
    private static final int BLOCK = 2 * ROWS;
    /**
     * The odd bf16 of a 32-bit lane, already in float position. (Widening is written out in the kernels: a helper
     * returning a vector is boxed wherever the JIT declines to inline it.)
     */
    private static final int HIGH = 0xFFFF0000;

    private Gemv() {
    }

    private static int[] lanes(int first) {
        int[] idx = new int[L];
        for (int i = 0; i < L; i++) {
            idx[i] = first + 2 * i;
        }
        return idx;
    }

    /** {@code out[t][r] = sum_k x[t][k] * W[r][k]} for a bf16 or f32 weight. */
    static void multiply(float[] x, int n, Weight w, float[] out) {
        int in = w.cols();
        int rows = w.rows();
        boolean bf16 = w.dtype() == DType.BF16;
        float[] xs = bf16 ? deinterleave(x, n, in) : x;
        MemorySegment data = w.data();
        int blocks = (rows + BLOCK - 1) / BLOCK;
        Parallel.forChunks(blocks, (long) in * BLOCK * Math.max(1, n / 2), (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int r0 = b * BLOCK;
                int grouped = n - n % 4;
                // Each half's four rows serve all groups of four tokens while they are in L1.
                for (int r = r0; r < Math.min(rows, r0 + BLOCK); r += ROWS) {
                    for (int t = 0; t < grouped; t += 4) {
                        if (bf16) {
                            bf16x4(data, in, rows, r, xs, t, out);
                        } else {
                            f32x4(data, in, rows, r, xs, t, out);
                        }
                    }
                }
                for (int t = grouped; t < n; t++) {
                    if (bf16) {
                        bf16x1(data, in, rows, r0, xs, t, out);
                    } else {
                        f32x1(data, in, rows, r0, xs, t, out);
                    }
                }
            }
        });
    }

    /**
     * Per token and per full {@code 2L} block: the even-indexed elements, then the odd ones; the tail as it is. (Also
     * the activation layout of the native decoding kernel, {@link Bf16Dot#decode}, where L is 16.)
     */
    static float[] deinterleave(float[] x, int n, int in) {
        float[] xs = new float[n * in];
        int full = in - in % (2 * L);
        for (int t = 0; t < n; t++) {
            int o = t * in;
            for (int k = 0; k < full; k += 2 * L) {
                IntVector lo = FloatVector.fromArray(F, x, o + k).reinterpretAsInts();
                IntVector hi = FloatVector.fromArray(F, x, o + k + L).reinterpretAsInts();
                EVEN.selectFrom(lo, hi).reinterpretAsFloats().intoArray(xs, o + k);
                ODD.selectFrom(lo, hi).reinterpretAsFloats().intoArray(xs, o + k + L);
            }
            System.arraycopy(x, o + full, xs, o + full, in - full);
        }
        return xs;
    }

    /** Byte offset of row {@code r0 + i}, clamped to the last row: a partial block repeats it and drops the result. */
    private static long rowOffset(int r0, int i, int rows, long rowBytes) {
        return Math.min(r0 + i, rows - 1) * rowBytes;
    }

    /**
     * Sums the accumulator lanes of {@code rowOffsets.length} rows x {@code tokens} tokens (row-major, {@code L}
     * lanes each; stored by the kernel, so no vector leaves it to be boxed), adds the depth tail from {@code full}
     * on, and writes the rows that exist.
     */
    private static void storeTile(float[] lanes, int tokens, MemorySegment w, boolean bf16, long[] rowOffsets,
                                  float[] x, int x0, int in, int full, int rows, int r0, int t0, float[] out) {
        for (int i = 0; i < rowOffsets.length; i++) {
            if (r0 + i >= rows) {
                return;
            }
            for (int j = 0; j < tokens; j++) {
                float s = Kernels.sumLanes(lanes, (i * tokens + j) * L);
                int xo = x0 + j * in;
                for (int k = full; k < in; k++) {
                    float wk = bf16 ? BFloat16.toFloat(w.get(SHORT_LE, rowOffsets[i] + 2L * k))
                            : w.get(FLOAT_LE, rowOffsets[i] + 4L * k);
                    s += wk * x[xo + k];
                }
                out[(t0 + j) * rows + r0 + i] = s;
            }
        }
    }

    private static void bf16x4(MemorySegment w, int in, int rows, int r0, float[] x, int t0, float[] out) {
        long rb = 2L * in;
        long o0 = rowOffset(r0, 0, rows, rb), o1 = rowOffset(r0, 1, rows, rb);
        long o2 = rowOffset(r0, 2, rows, rb), o3 = rowOffset(r0, 3, rows, rb);
        int x0 = t0 * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int full = in - in % (2 * L);
        for (int k = 0; k < full; k += 2 * L) {
            long kb = 2L * k;
            IntVector w0 = IntVector.fromMemorySegment(I, w, o0 + kb, LE);
            IntVector w1 = IntVector.fromMemorySegment(I, w, o1 + kb, LE);
            IntVector w2 = IntVector.fromMemorySegment(I, w, o2 + kb, LE);
            IntVector w3 = IntVector.fromMemorySegment(I, w, o3 + kb, LE);
            FloatVector e0 = w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector e1 = w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector e2 = w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector e3 = w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector d0 = w0.and(HIGH).reinterpretAsFloats(), d1 = w1.and(HIGH).reinterpretAsFloats();
            FloatVector d2 = w2.and(HIGH).reinterpretAsFloats(), d3 = w3.and(HIGH).reinterpretAsFloats();
            FloatVector xe = FloatVector.fromArray(F, x, x0 + k), xo = FloatVector.fromArray(F, x, x0 + k + L);
            a00 = d0.fma(xo, e0.fma(xe, a00));
            a10 = d1.fma(xo, e1.fma(xe, a10));
            a20 = d2.fma(xo, e2.fma(xe, a20));
            a30 = d3.fma(xo, e3.fma(xe, a30));
            xe = FloatVector.fromArray(F, x, x1 + k);
            xo = FloatVector.fromArray(F, x, x1 + k + L);
            a01 = d0.fma(xo, e0.fma(xe, a01));
            a11 = d1.fma(xo, e1.fma(xe, a11));
            a21 = d2.fma(xo, e2.fma(xe, a21));
            a31 = d3.fma(xo, e3.fma(xe, a31));
            xe = FloatVector.fromArray(F, x, x2 + k);
            xo = FloatVector.fromArray(F, x, x2 + k + L);
            a02 = d0.fma(xo, e0.fma(xe, a02));
            a12 = d1.fma(xo, e1.fma(xe, a12));
            a22 = d2.fma(xo, e2.fma(xe, a22));
            a32 = d3.fma(xo, e3.fma(xe, a32));
            xe = FloatVector.fromArray(F, x, x3 + k);
            xo = FloatVector.fromArray(F, x, x3 + k + L);
            a03 = d0.fma(xo, e0.fma(xe, a03));
            a13 = d1.fma(xo, e1.fma(xe, a13));
            a23 = d2.fma(xo, e2.fma(xe, a23));
            a33 = d3.fma(xo, e3.fma(xe, a33));
        }
        float[] lanes = new float[16 * L];
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
        storeTile(lanes, 4, w, true, new long[]{o0, o1, o2, o3}, x, x0, in, full, rows, r0, t0, out);
    }

    /** One token against eight rows: eight independent accumulators, each fed as {@link #bf16x4} feeds its own. */
    private static void bf16x1(MemorySegment w, int in, int rows, int r0, float[] x, int t, float[] out) {
        long rb = 2L * in;
        long o0 = rowOffset(r0, 0, rows, rb), o1 = rowOffset(r0, 1, rows, rb);
        long o2 = rowOffset(r0, 2, rows, rb), o3 = rowOffset(r0, 3, rows, rb);
        long o4 = rowOffset(r0, 4, rows, rb), o5 = rowOffset(r0, 5, rows, rb);
        long o6 = rowOffset(r0, 6, rows, rb), o7 = rowOffset(r0, 7, rows, rb);
        int x0 = t * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int full = in - in % (2 * L);
        for (int k = 0; k < full; k += 2 * L) {
            long kb = 2L * k;
            FloatVector xe = FloatVector.fromArray(F, x, x0 + k), xo = FloatVector.fromArray(F, x, x0 + k + L);
            IntVector w0 = IntVector.fromMemorySegment(I, w, o0 + kb, LE);
            IntVector w1 = IntVector.fromMemorySegment(I, w, o1 + kb, LE);
            IntVector w2 = IntVector.fromMemorySegment(I, w, o2 + kb, LE);
            IntVector w3 = IntVector.fromMemorySegment(I, w, o3 + kb, LE);
            a0 = w0.and(HIGH).reinterpretAsFloats().fma(xo,
                    w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a0));
            a1 = w1.and(HIGH).reinterpretAsFloats().fma(xo,
                    w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a1));
            a2 = w2.and(HIGH).reinterpretAsFloats().fma(xo,
                    w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a2));
            a3 = w3.and(HIGH).reinterpretAsFloats().fma(xo,
                    w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a3));
            IntVector w4 = IntVector.fromMemorySegment(I, w, o4 + kb, LE);
            IntVector w5 = IntVector.fromMemorySegment(I, w, o5 + kb, LE);
            IntVector w6 = IntVector.fromMemorySegment(I, w, o6 + kb, LE);
            IntVector w7 = IntVector.fromMemorySegment(I, w, o7 + kb, LE);
            a4 = w4.and(HIGH).reinterpretAsFloats().fma(xo,
                    w4.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a4));
            a5 = w5.and(HIGH).reinterpretAsFloats().fma(xo,
                    w5.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a5));
            a6 = w6.and(HIGH).reinterpretAsFloats().fma(xo,
                    w6.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a6));
            a7 = w7.and(HIGH).reinterpretAsFloats().fma(xo,
                    w7.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a7));
        }
        float[] lanes = new float[BLOCK * L];
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L);
        a5.intoArray(lanes, 5 * L);
        a6.intoArray(lanes, 6 * L);
        a7.intoArray(lanes, 7 * L);
        storeTile(lanes, 1, w, true, new long[]{o0, o1, o2, o3, o4, o5, o6, o7}, x, x0, in, full, rows, r0, t, out);
    }

    private static void f32x4(MemorySegment w, int in, int rows, int r0, float[] x, int t0, float[] out) {
        long rb = 4L * in;
        long o0 = rowOffset(r0, 0, rows, rb), o1 = rowOffset(r0, 1, rows, rb);
        long o2 = rowOffset(r0, 2, rows, rb), o3 = rowOffset(r0, 3, rows, rb);
        int x0 = t0 * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int full = in - in % L;
        for (int k = 0; k < full; k += L) {
            long kb = 4L * k;
            FloatVector w0 = FloatVector.fromMemorySegment(F, w, o0 + kb, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(F, w, o1 + kb, LE);
            FloatVector w2 = FloatVector.fromMemorySegment(F, w, o2 + kb, LE);
            FloatVector w3 = FloatVector.fromMemorySegment(F, w, o3 + kb, LE);
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
        float[] lanes = new float[16 * L];
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
        storeTile(lanes, 4, w, false, new long[]{o0, o1, o2, o3}, x, x0, in, full, rows, r0, t0, out);
    }

    /** One token against eight rows: eight independent accumulators, each fed as {@link #f32x4} feeds its own. */
    private static void f32x1(MemorySegment w, int in, int rows, int r0, float[] x, int t, float[] out) {
        long rb = 4L * in;
        long o0 = rowOffset(r0, 0, rows, rb), o1 = rowOffset(r0, 1, rows, rb);
        long o2 = rowOffset(r0, 2, rows, rb), o3 = rowOffset(r0, 3, rows, rb);
        long o4 = rowOffset(r0, 4, rows, rb), o5 = rowOffset(r0, 5, rows, rb);
        long o6 = rowOffset(r0, 6, rows, rb), o7 = rowOffset(r0, 7, rows, rb);
        int x0 = t * in;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int full = in - in % L;
        for (int k = 0; k < full; k += L) {
            long kb = 4L * k;
            FloatVector v = FloatVector.fromArray(F, x, x0 + k);
            a0 = FloatVector.fromMemorySegment(F, w, o0 + kb, LE).fma(v, a0);
            a1 = FloatVector.fromMemorySegment(F, w, o1 + kb, LE).fma(v, a1);
            a2 = FloatVector.fromMemorySegment(F, w, o2 + kb, LE).fma(v, a2);
            a3 = FloatVector.fromMemorySegment(F, w, o3 + kb, LE).fma(v, a3);
            a4 = FloatVector.fromMemorySegment(F, w, o4 + kb, LE).fma(v, a4);
            a5 = FloatVector.fromMemorySegment(F, w, o5 + kb, LE).fma(v, a5);
            a6 = FloatVector.fromMemorySegment(F, w, o6 + kb, LE).fma(v, a6);
            a7 = FloatVector.fromMemorySegment(F, w, o7 + kb, LE).fma(v, a7);
        }
        float[] lanes = new float[BLOCK * L];
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, L);
        a2.intoArray(lanes, 2 * L);
        a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L);
        a5.intoArray(lanes, 5 * L);
        a6.intoArray(lanes, 6 * L);
        a7.intoArray(lanes, 7 * L);
        storeTile(lanes, 1, w, false, new long[]{o0, o1, o2, o3, o4, o5, o6, o7}, x, x0, in, full, rows, r0, t, out);
    }
}
