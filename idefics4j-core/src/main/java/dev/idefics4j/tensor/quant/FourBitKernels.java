package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.NativeDecoding;
import dev.idefics4j.tensor.PanelSource;
import dev.idefics4j.tensor.Parallel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Products with a 4-bit blockwise weight, unpacking in registers. bitsandbytes packs element 2j in the high nibble
 * and 2j+1 in the low nibble of byte j, so a vector of bytes yields the even elements and the odd ones as two
 * vectors of codes; rather than interleave them back, the activations are split once per call into their even and
 * odd halves ({@code xd = [x_even | x_odd]}) and each half meets its own codes. Codes become floats by a lookup of
 * the 16-entry table held in one vector register (two on AVX2), and each step's sum is scaled by its block's absmax.
 * Shapes whose blocks do not line up with rows (cols not a multiple of the block size) take a scalar decode.
 */
final class FourBitKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** The 16-entry table fits one int vector of 16 lanes, or two of 8; other widths take the scalar decode. */
    private static final boolean VECTOR_LOOKUP = L == 8 || L == 16;
    /** 2L packed bytes: the codes of 4L weights, widened to ints in two parts. */
    private static final VectorSpecies<Byte> B2 = VECTOR_LOOKUP
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 16)) : null;

    /** L packed bytes: the codes of 2L weights, for decoding panels in natural order. */
    private static final VectorSpecies<Byte> B1 = VECTOR_LOOKUP
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    /** Interleave an even-elements vector and an odd-elements one back into natural order (first and second half). */
    private static final IntVector ZIP_LO = zip(0);
    private static final IntVector ZIP_HI = zip(L / 2);

    private FourBitKernels() {
    }

    private static IntVector zip(int first) {
        int[] idx = new int[L];
        for (int i = 0; i < L; i += 2) {
            idx[i] = first + i / 2;
            idx[i + 1] = L + first + i / 2;
        }
        return IntVector.fromArray(I, idx, 0);
    }

    /**
     * Whether {@code w} takes the vector kernels: every block lies within one row, and a block (a power of two) is
     * whole steps of 2L bytes, so a step never straddles two scales.
     */
    static boolean vectorized(FourBitWeight w) {
        int bs = w.blocksize();
        return VECTOR_LOOKUP && w.cols() % bs == 0 && Integer.bitCount(bs) == 1 && bs / 2 >= 2 * L;
    }

    static void matmul(FourBitWeight w, float[] x, int n, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        w.checkMatmul(x, n, out);
        if (!vectorized(w)) {
            matmulScalarDecode(w, x, n, out);
            return;
        }
        if (n <= Kernels.NATIVE_DECODE_MAX_ROWS && NativeDecoding.takesFourBit(cols, w.blocksize())) {
            NativeDecoding.fourBit(x, n, rows, cols, w.packed(), w.blocksize(), w.table(), w.scales()::decode, out);
            return;
        }
        if (n > Kernels.GEMV_MAX_ROWS) {
            // Prefill and images: the tiled product, on panels decoded as it needs them.
            Kernels.matmul(x, n, PanelSource.decoded(rows, cols, rangeDecoder(w)), out);
            return;
        }
        float[] xd = deinterleave(x, n, cols);
        int[] table = tableBits(w.table());
        MemorySegment packed = w.packed();
        BlockScales scales = w.scales();
        int blocksPerRow = cols / w.blocksize();
        int blockShift = Integer.numberOfTrailingZeros(w.blocksize() / 2);
        long rowBytes = cols / 2;
        if (n == 1) {
            Parallel.forChunks(rows, cols, (r0, r1) -> {
                float[] s = new float[blocksPerRow];
                float[] s2 = new float[blocksPerRow];
                float[] two = new float[2];
                for (int r = r0; r < r1; r += 2) {
                    int r2 = Math.min(r + 1, r1 - 1); // a lone last row pairs with itself
                    scales.decode((long) r * blocksPerRow, blocksPerRow, s);
                    scales.decode((long) r2 * blocksPerRow, blocksPerRow, s2);
                    dotTwoRows(packed, r * rowBytes, r2 * rowBytes, cols, blockShift, s, s2, xd, table, two);
                    out[r] = two[0];
                    out[r2] = two[1];
                }
            });
        } else {
            // Unpack each row once into floats (in the same even|odd order as xd) and reuse it for all n tokens.
            // Unpack four rows at a time into floats (in the same even|odd order as xd), then take them against all
            // n tokens together.
            Parallel.forChunks((rows + 3) / 4, (long) cols * n * 4, (b0, b1) -> {
                float[] s = new float[blocksPerRow];
                float[] block = new float[4 * cols];
                float[] ones = {1f, 1f, 1f, 1f};
                for (int b = b0; b < b1; b++) {
                    int count = Math.min(4, rows - 4 * b);
                    for (int i = 0; i < count; i++) {
                        long r = 4L * b + i;
                        scales.decode(r * blocksPerRow, blocksPerRow, s);
                        decodeRow(packed, r * rowBytes, cols, blockShift, s, table, block, i * cols);
                    }
                    Kernels.dots(block, count, cols, xd, n, ones, out, 4 * b, rows);
                }
            });
        }
    }

    /** Each row of x split into its even elements followed by its odd ones. */
    private static float[] deinterleave(float[] x, int n, int cols) {
        float[] xd = new float[n * cols];
        int half = cols / 2;
        for (int t = 0; t < n; t++) {
            int o = t * cols;
            for (int j = 0; j < half; j++) {
                xd[o + j] = x[o + 2 * j];
                xd[o + half + j] = x[o + 2 * j + 1];
            }
        }
        return xd;
    }

    private static int[] tableBits(float[] table) {
        int[] bits = new int[16];
        for (int i = 0; i < 16; i++) {
            bits[i] = Float.floatToRawIntBits(table[i]);
        }
        return bits;
    }

    // The loops below spell out every vector operation: a helper method returning a vector that C2 declines to
    // inline makes it box every vector, which cost 8x in measurements.

    /**
     * Two rows (at byte offsets {@code off} and {@code off2}) against one token, sharing the activation loads. Each
     * step reads 2L bytes of a row (4L weights, all in one block), looks up even and odd codes (one cross-lane
     * permute of the table each; two tables of 8 lanes on AVX2), multiplies them by x_even and x_odd, and adds the
     * step's sums times its block's scale. Two weight streams at once keep more memory reads in flight: one row at a
     * time left a core waiting on DRAM at about half its bandwidth.
     */
    private static void dotTwoRows(MemorySegment packed, long off, long off2, int cols, int blockShift,
                                   float[] scales, float[] scales2, float[] xd, int[] table, float[] out) {
        IntVector t0 = IntVector.fromArray(I, table, 0);
        IntVector t1 = L == 16 ? t0 : IntVector.fromArray(I, table, L);
        int half = cols / 2;
        FloatVector accEven = FloatVector.zero(F);
        FloatVector accOdd = FloatVector.zero(F);
        FloatVector accEven2 = FloatVector.zero(F);
        FloatVector accOdd2 = FloatVector.zero(F);
        for (int j = 0; j < half; j += 2 * L) {
            FloatVector xe0 = FloatVector.fromArray(F, xd, j);
            FloatVector xe1 = FloatVector.fromArray(F, xd, j + L);
            FloatVector xo0 = FloatVector.fromArray(F, xd, half + j);
            FloatVector xo1 = FloatVector.fromArray(F, xd, half + j + L);

            ByteVector bytes = ByteVector.fromMemorySegment(B2, packed, off + j, ByteOrder.LITTLE_ENDIAN);
            IntVector q0 = (IntVector) bytes.convertShape(VectorOperators.B2I, I, 0);
            IntVector q1 = (IntVector) bytes.convertShape(VectorOperators.B2I, I, 1);
            IntVector h0 = q0.lanewise(VectorOperators.LSHR, 4).and(0xF);
            IntVector h1 = q1.lanewise(VectorOperators.LSHR, 4).and(0xF);
            IntVector l0 = q0.and(0xF);
            IntVector l1 = q1.and(0xF);
            FloatVector even = (L == 16 ? h0.selectFrom(t0) : h0.selectFrom(t0, t1)).reinterpretAsFloats().mul(xe0);
            FloatVector odd = (L == 16 ? l0.selectFrom(t0) : l0.selectFrom(t0, t1)).reinterpretAsFloats().mul(xo0);
            even = (L == 16 ? h1.selectFrom(t0) : h1.selectFrom(t0, t1)).reinterpretAsFloats().fma(xe1, even);
            odd = (L == 16 ? l1.selectFrom(t0) : l1.selectFrom(t0, t1)).reinterpretAsFloats().fma(xo1, odd);
            FloatVector scale = FloatVector.broadcast(F, scales[j >>> blockShift]);
            accEven = even.fma(scale, accEven);
            accOdd = odd.fma(scale, accOdd);

            bytes = ByteVector.fromMemorySegment(B2, packed, off2 + j, ByteOrder.LITTLE_ENDIAN);
            q0 = (IntVector) bytes.convertShape(VectorOperators.B2I, I, 0);
            q1 = (IntVector) bytes.convertShape(VectorOperators.B2I, I, 1);
            h0 = q0.lanewise(VectorOperators.LSHR, 4).and(0xF);
            h1 = q1.lanewise(VectorOperators.LSHR, 4).and(0xF);
            l0 = q0.and(0xF);
            l1 = q1.and(0xF);
            even = (L == 16 ? h0.selectFrom(t0) : h0.selectFrom(t0, t1)).reinterpretAsFloats().mul(xe0);
            odd = (L == 16 ? l0.selectFrom(t0) : l0.selectFrom(t0, t1)).reinterpretAsFloats().mul(xo0);
            even = (L == 16 ? h1.selectFrom(t0) : h1.selectFrom(t0, t1)).reinterpretAsFloats().fma(xe1, even);
            odd = (L == 16 ? l1.selectFrom(t0) : l1.selectFrom(t0, t1)).reinterpretAsFloats().fma(xo1, odd);
            scale = FloatVector.broadcast(F, scales2[j >>> blockShift]);
            accEven2 = even.fma(scale, accEven2);
            accOdd2 = odd.fma(scale, accOdd2);
        }
        out[0] = accEven.add(accOdd).reduceLanes(VectorOperators.ADD);
        out[1] = accEven2.add(accOdd2).reduceLanes(VectorOperators.ADD);
    }

    /** Row {@code off} unpacked and scaled into {@code row} as [even elements | odd elements]. */
    private static void decodeRow(MemorySegment packed, long off, int cols, int blockShift, float[] scales,
                                  int[] table, float[] row, int ro) {
        IntVector t0 = IntVector.fromArray(I, table, 0);
        IntVector t1 = L == 16 ? t0 : IntVector.fromArray(I, table, L);
        int half = cols / 2;
        for (int j = 0; j < half; j += 2 * L) {
            ByteVector bytes = ByteVector.fromMemorySegment(B2, packed, off + j, ByteOrder.LITTLE_ENDIAN);
            IntVector q0 = (IntVector) bytes.convertShape(VectorOperators.B2I, I, 0);
            IntVector q1 = (IntVector) bytes.convertShape(VectorOperators.B2I, I, 1);
            IntVector h0 = q0.lanewise(VectorOperators.LSHR, 4).and(0xF);
            IntVector h1 = q1.lanewise(VectorOperators.LSHR, 4).and(0xF);
            IntVector l0 = q0.and(0xF);
            IntVector l1 = q1.and(0xF);
            FloatVector scale = FloatVector.broadcast(F, scales[j >>> blockShift]);
            (L == 16 ? h0.selectFrom(t0) : h0.selectFrom(t0, t1)).reinterpretAsFloats().mul(scale)
                    .intoArray(row, ro + j);
            (L == 16 ? h1.selectFrom(t0) : h1.selectFrom(t0, t1)).reinterpretAsFloats().mul(scale)
                    .intoArray(row, ro + j + L);
            (L == 16 ? l0.selectFrom(t0) : l0.selectFrom(t0, t1)).reinterpretAsFloats().mul(scale)
                    .intoArray(row, ro + half + j);
            (L == 16 ? l1.selectFrom(t0) : l1.selectFrom(t0, t1)).reinterpretAsFloats().mul(scale)
                    .intoArray(row, ro + half + j + L);
        }
    }

    /**
     * Decodes {@code W[r][k0 .. k0 + kc)} in natural order, scaled, for the tiled product's panels: a vector of L
     * packed bytes gives L even and L odd weights (table lookups), which two two-vector permutes interleave back.
     * Groups of 2L weights never straddle a block when rows start on a block boundary; other shapes and offsets
     * take the scalar decode.
     */
    static PanelSource.RowDecoder rangeDecoder(FourBitWeight w) {
        int cols = w.cols();
        int bs = w.blocksize();
        boolean vector = vectorized(w);
        int[] table = tableBits(w.table());
        MemorySegment packed = w.packed();
        BlockScales scales = w.scales();
        return (r, k0, kc, dst, off) -> {
            long f0 = (long) r * cols + k0;
            long firstBlock = f0 / bs;
            float[] s = new float[(int) ((f0 + Math.max(kc, 1) - 1) / bs - firstBlock + 1)];
            scales.decode(firstBlock, s.length, s);
            int k = 0;
            if (vector && k0 % (2 * L) == 0) {
                IntVector t0 = IntVector.fromArray(I, table, 0);
                IntVector t1 = L == 16 ? t0 : IntVector.fromArray(I, table, L);
                for (; k + 2 * L <= kc; k += 2 * L) {
                    long f = f0 + k;
                    ByteVector bytes = ByteVector.fromMemorySegment(B1, packed, f >>> 1, ByteOrder.LITTLE_ENDIAN);
                    IntVector q = (IntVector) bytes.convertShape(VectorOperators.B2I, I, 0);
                    IntVector h = q.lanewise(VectorOperators.LSHR, 4).and(0xF);
                    IntVector l = q.and(0xF);
                    FloatVector scale = FloatVector.broadcast(F, s[(int) (f / bs - firstBlock)]);
                    IntVector even = (L == 16 ? h.selectFrom(t0) : h.selectFrom(t0, t1)).reinterpretAsFloats()
                            .mul(scale).reinterpretAsInts();
                    IntVector odd = (L == 16 ? l.selectFrom(t0) : l.selectFrom(t0, t1)).reinterpretAsFloats()
                            .mul(scale).reinterpretAsInts();
                    ZIP_LO.selectFrom(even, odd).reinterpretAsFloats().intoArray(dst, off + k);
                    ZIP_HI.selectFrom(even, odd).reinterpretAsFloats().intoArray(dst, off + k + L);
                }
            }
            decodeScalar(w, f0, k, kc, s, firstBlock, dst, off);
        };
    }

    private static void matmulScalarDecode(FourBitWeight w, float[] x, int n, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        if (n > Kernels.GEMV_MAX_ROWS) {
            Kernels.matmul(x, n, PanelSource.decoded(rows, cols, rangeDecoder(w)), out);
            return;
        }
        Parallel.forChunks(rows, (long) cols * n, (r0, r1) -> {
            float[] row = new float[cols];
            float[] scales = new float[cols / w.blocksize() + 2];
            float[] one = {1f};
            for (int r = r0; r < r1; r++) {
                decodeRowScalar(w, r, row, 0, scales);
                Kernels.dots(row, 1, cols, x, n, one, out, r, rows);
            }
        });
    }

    /**
     * Row {@code r} in natural order into {@code row[rowOffset..]}, for any shape: element f of the flattened
     * weight is nibble {@code f & 1} (high first) of byte {@code f / 2}, scaled by block {@code f / blocksize}.
     *
     * @param scales room for the scales of every block the row touches ({@code cols / blocksize + 2})
     */
    static void decodeRowScalar(FourBitWeight w, int r, float[] row, int rowOffset, float[] scales) {
        int cols = w.cols();
        long bs = w.blocksize();
        long f0 = (long) r * cols;
        long firstBlock = f0 / bs;
        int count = (int) ((f0 + cols - 1) / bs - firstBlock + 1);
        w.scales().decode(firstBlock, count, scales);
        decodeScalar(w, f0, 0, cols, scales, firstBlock, row, rowOffset);
    }

    /**
     * Flattened elements {@code f0 + k} for k in [from, to) into {@code dst[off + k]}: element f is nibble
     * {@code f & 1} (high first) of byte {@code f / 2}, times {@code scales[f / blocksize - firstBlock]}.
     */
    private static void decodeScalar(FourBitWeight w, long f0, int from, int to, float[] scales, long firstBlock,
                                     float[] dst, int off) {
        long bs = w.blocksize();
        float[] table = w.table();
        MemorySegment packed = w.packed();
        for (int k = from; k < to; k++) {
            long f = f0 + k;
            int shift = (int) ((~f & 1) << 2);
            int code = (packed.get(ValueLayout.JAVA_BYTE, f >>> 1) >> shift) & 0xF;
            dst[off + k] = table[code] * scales[(int) (f / bs - firstBlock)];
        }
    }
}
