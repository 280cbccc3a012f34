package dev.idefics4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transposes a block of rows into a GEMM panel. With 16-lane vectors, 16x16 blocks are transposed in registers by
 * four rounds of two-vector permutes (each round swaps the off-diagonal blocks of half the previous size), 64
 * permutes per 256 values; other shapes fall back to a scalar copy.
 */
final class Transposer {
    private static final VectorSpecies<Float> F = Kernels.F;
    private static final VectorSpecies<Integer> I = Kernels.I;
    private static final int L = Kernels.L;
    private static final IntVector LO8 = lows(8), HI8 = highs(8), LO4 = lows(4), HI4 = highs(4);
    private static final IntVector LO2 = lows(2), HI2 = highs(2), LO1 = lows(1), HI1 = highs(1);

    private Transposer() {
    }

    /** Permute indices (into the concatenation of two vectors) of the first vector of a pair after a round. */
    private static IntVector lows(int b) {
        int[] idx = new int[L];
        for (int l = 0; l < L; l++) {
            idx[l] = (l & b) == 0 ? l : L + l - b;
        }
        return L == 16 ? IntVector.fromArray(I, idx, 0) : null;
    }

    private static IntVector highs(int b) {
        int[] idx = new int[L];
        for (int l = 0; l < L; l++) {
            idx[l] = (l & b) == 0 ? l + b : L + l;
        }
        return L == 16 ? IntVector.fromArray(I, idx, 0) : null;
    }

    /**
     * {@code dst[k * width + j] = src[off + j * stride + k]} for {@code j < valid}, {@code k < kc}; columns
     * {@code valid <= j < width} become zero.
     */
    static void transpose(float[] src, int off, int stride, int valid, int width, int kc, float[] dst) {
        transpose(src, off, stride, valid, width, kc, dst, 0);
    }

    /** As {@link #transpose(float[], int, int, int, int, int, float[])}, writing from {@code dst[dstOff]}. */
    static void transpose(float[] src, int off, int stride, int valid, int width, int kc, float[] dst, int dstOff) {
        int k = 0;
        if (L == 16 && valid == width && width % L == 0) {
            for (int jb = 0; jb < width; jb += L) {
                blocks(src, off + jb * stride, stride, kc, dst, dstOff + jb, width);
            }
            k = kc - kc % L;
        }
        for (; k < kc; k++) {
            int o = dstOff + k * width;
            for (int j = 0; j < valid; j++) {
                dst[o + j] = src[off + j * stride + k];
            }
            for (int j = valid; j < width; j++) {
                dst[o + j] = 0f;
            }
        }
    }

    private static IntVector row(float[] src, int o) {
        return FloatVector.fromArray(F, src, o).reinterpretAsInts();
    }

    /** Transposes the 16 rows at {@code off}, 16 depth indices at a time, into the panel from {@code dst[d0]}. */
    private static void blocks(float[] src, int off, int stride, int kc, float[] dst, int d0, int width) {
        IntVector t;
        for (int k = 0; k + 16 <= kc; k += 16) {
            int s = off + k;
            IntVector v0 = row(src, s);
            IntVector v1 = row(src, s + 1 * stride);
            IntVector v2 = row(src, s + 2 * stride);
            IntVector v3 = row(src, s + 3 * stride);
            IntVector v4 = row(src, s + 4 * stride);
            IntVector v5 = row(src, s + 5 * stride);
            IntVector v6 = row(src, s + 6 * stride);
            IntVector v7 = row(src, s + 7 * stride);
            IntVector v8 = row(src, s + 8 * stride);
            IntVector v9 = row(src, s + 9 * stride);
            IntVector v10 = row(src, s + 10 * stride);
            IntVector v11 = row(src, s + 11 * stride);
            IntVector v12 = row(src, s + 12 * stride);
            IntVector v13 = row(src, s + 13 * stride);
            IntVector v14 = row(src, s + 14 * stride);
            IntVector v15 = row(src, s + 15 * stride);
            // Swap the off-diagonal 8x8 blocks of every 16x16 block.
            t = LO8.selectFrom(v0, v8); v8 = HI8.selectFrom(v0, v8); v0 = t;
            t = LO8.selectFrom(v1, v9); v9 = HI8.selectFrom(v1, v9); v1 = t;
            t = LO8.selectFrom(v2, v10); v10 = HI8.selectFrom(v2, v10); v2 = t;
            t = LO8.selectFrom(v3, v11); v11 = HI8.selectFrom(v3, v11); v3 = t;
            t = LO8.selectFrom(v4, v12); v12 = HI8.selectFrom(v4, v12); v4 = t;
            t = LO8.selectFrom(v5, v13); v13 = HI8.selectFrom(v5, v13); v5 = t;
            t = LO8.selectFrom(v6, v14); v14 = HI8.selectFrom(v6, v14); v6 = t;
            t = LO8.selectFrom(v7, v15); v15 = HI8.selectFrom(v7, v15); v7 = t;
            // Swap the off-diagonal 4x4 blocks of every 8x8 block.
            t = LO4.selectFrom(v0, v4); v4 = HI4.selectFrom(v0, v4); v0 = t;
            t = LO4.selectFrom(v1, v5); v5 = HI4.selectFrom(v1, v5); v1 = t;
            t = LO4.selectFrom(v2, v6); v6 = HI4.selectFrom(v2, v6); v2 = t;
            t = LO4.selectFrom(v3, v7); v7 = HI4.selectFrom(v3, v7); v3 = t;
            t = LO4.selectFrom(v8, v12); v12 = HI4.selectFrom(v8, v12); v8 = t;
            t = LO4.selectFrom(v9, v13); v13 = HI4.selectFrom(v9, v13); v9 = t;
            t = LO4.selectFrom(v10, v14); v14 = HI4.selectFrom(v10, v14); v10 = t;
            t = LO4.selectFrom(v11, v15); v15 = HI4.selectFrom(v11, v15); v11 = t;
            // Swap the off-diagonal 2x2 blocks of every 4x4 block.
            t = LO2.selectFrom(v0, v2); v2 = HI2.selectFrom(v0, v2); v0 = t;
            t = LO2.selectFrom(v1, v3); v3 = HI2.selectFrom(v1, v3); v1 = t;
            t = LO2.selectFrom(v4, v6); v6 = HI2.selectFrom(v4, v6); v4 = t;
            t = LO2.selectFrom(v5, v7); v7 = HI2.selectFrom(v5, v7); v5 = t;
            t = LO2.selectFrom(v8, v10); v10 = HI2.selectFrom(v8, v10); v8 = t;
            t = LO2.selectFrom(v9, v11); v11 = HI2.selectFrom(v9, v11); v9 = t;
            t = LO2.selectFrom(v12, v14); v14 = HI2.selectFrom(v12, v14); v12 = t;
            t = LO2.selectFrom(v13, v15); v15 = HI2.selectFrom(v13, v15); v13 = t;
            // Swap the off-diagonal 1x1 blocks of every 2x2 block.
            t = LO1.selectFrom(v0, v1); v1 = HI1.selectFrom(v0, v1); v0 = t;
            t = LO1.selectFrom(v2, v3); v3 = HI1.selectFrom(v2, v3); v2 = t;
            t = LO1.selectFrom(v4, v5); v5 = HI1.selectFrom(v4, v5); v4 = t;
            t = LO1.selectFrom(v6, v7); v7 = HI1.selectFrom(v6, v7); v6 = t;
            t = LO1.selectFrom(v8, v9); v9 = HI1.selectFrom(v8, v9); v8 = t;
            t = LO1.selectFrom(v10, v11); v11 = HI1.selectFrom(v10, v11); v10 = t;
            t = LO1.selectFrom(v12, v13); v13 = HI1.selectFrom(v12, v13); v12 = t;
            t = LO1.selectFrom(v14, v15); v15 = HI1.selectFrom(v14, v15); v14 = t;
            int d = d0 + k * width;
            v0.reinterpretAsFloats().intoArray(dst, d);
            v1.reinterpretAsFloats().intoArray(dst, d + 1 * width);
            v2.reinterpretAsFloats().intoArray(dst, d + 2 * width);
            v3.reinterpretAsFloats().intoArray(dst, d + 3 * width);
            v4.reinterpretAsFloats().intoArray(dst, d + 4 * width);
            v5.reinterpretAsFloats().intoArray(dst, d + 5 * width);
            v6.reinterpretAsFloats().intoArray(dst, d + 6 * width);
            v7.reinterpretAsFloats().intoArray(dst, d + 7 * width);
            v8.reinterpretAsFloats().intoArray(dst, d + 8 * width);
            v9.reinterpretAsFloats().intoArray(dst, d + 9 * width);
            v10.reinterpretAsFloats().intoArray(dst, d + 10 * width);
            v11.reinterpretAsFloats().intoArray(dst, d + 11 * width);
            v12.reinterpretAsFloats().intoArray(dst, d + 12 * width);
            v13.reinterpretAsFloats().intoArray(dst, d + 13 * width);
            v14.reinterpretAsFloats().intoArray(dst, d + 14 * width);
            v15.reinterpretAsFloats().intoArray(dst, d + 15 * width);
        }
    }
}
