package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.Parallel;
import dev.idefics4j.tensor.Weight;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Quantizes a weight as bitsandbytes' {@code quantize_4bit} does (its reference "default" backend): per block of the
 * flattened weight, {@code absmax = max|w|}, {@code scaled = clamp(w * (1 / absmax), -1, 1)} in float32, code =
 * {@code argmin |scaled - table|} (first index on ties), packed {@code code[2j] << 4 | code[2j+1]}, an odd count padded
 * with the code of 0. With double quantization the absmax scales are then quantized again
 * ({@link NestedAbsmaxScales}). Blocks are independent, so they are quantized in parallel.
 */
final class FourBitQuantizer {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** The sorted table fits one int vector of 16 lanes, or two of 8; other widths search value by value. */
    private static final boolean VECTOR_LOOKUP = L == 8 || L == 16;

    private FourBitQuantizer() {
    }

    static FourBitWeight quantize(Weight w, FourBitCode code, int blocksize, boolean doubleQuant) {
        if (blocksize < 2 || blocksize % 2 != 0) {
            throw new IllegalArgumentException("blocksize must be even, got " + blocksize);
        }
        long numel = (long) w.rows() * w.cols();
        int blocks = Math.toIntExact((numel + blocksize - 1) / blocksize);
        MemorySegment packed = OffHeap.allocate((numel + 1) / 2);
        float[] absmax = new float[blocks];
        float[] table = code.table();
        int zero = code.zeroCode();
        Lookup lookup = new Lookup(code);
        Parallel.forChunks(blocks, blocksize * 16L, (b0, b1) -> {
            float[] values = new float[blocksize];
            int[] codes = new int[blocksize + 1];
            for (int b = b0; b < b1; b++) {
                long start = (long) b * blocksize;
                int len = (int) Math.min(blocksize, numel - start);
                Kernels.widen(w.data(), w.dtype(), start, values, 0, len);
                float max = absmax(values, len);
                absmax[b] = max;
                if (max == 0) {
                    java.util.Arrays.fill(codes, zero);
                } else {
                    nearestCodes(code, lookup, values, len, 1f / max, codes);
                }
                codes[len] = zero;
                for (int i = 0; i < len; i += 2) {
                    packed.set(ValueLayout.JAVA_BYTE, (start + i) >> 1, (byte) (codes[i] << 4 | codes[i + 1]));
                }
            }
        });
        BlockScales scales = doubleQuant ? NestedAbsmaxScales.quantize(absmax) : AbsmaxScales.of(absmax);
        return new FourBitWeight(w.name(), w.rows(), w.cols(), code, table, blocksize, packed, scales, w.dtype());
    }

    /** The code's sorted table as {@link #nearestCodes} reads it, made once per weight rather than per block. */
    private static final class Lookup {
        final float[] sorted;
        final int[] sortedBits = new int[16];
        final int[] sortedCodes;
        final int distinct;

        Lookup(FourBitCode code) {
            sorted = code.sortedValues16();
            for (int k = 0; k < 16; k++) {
                sortedBits[k] = Float.floatToRawIntBits(sorted[k]);
            }
            sortedCodes = code.sortedCodes16();
            distinct = code.distinctValues();
        }
    }

    private static float absmax(float[] values, int len) {
        int i = 0;
        FloatVector m = FloatVector.zero(F);
        for (; i <= len - L; i += L) {
            m = m.max(FloatVector.fromArray(F, values, i).abs());
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            max = Math.max(max, Math.abs(values[i]));
        }
        return max;
    }

    /**
     * {@link FourBitCode#nearest} of {@code clamp(values[i] * inv, -1, 1)}, L values at a time and with the same
     * float operations: count the sorted table values at or below each value to find its two neighbours, look them
     * and their codes up by a lane permute, and keep the nearer (the lower code on a tie).
     */
    private static void nearestCodes(FourBitCode code, Lookup lookup, float[] values, int len, float inv,
                                     int[] out) {
        float[] sorted = lookup.sorted;
        int[] sortedBits = lookup.sortedBits;
        int[] sortedCodes = lookup.sortedCodes;
        int distinct = lookup.distinct;
        int i = 0;
        if (VECTOR_LOOKUP) {
            IntVector v0 = IntVector.fromArray(I, sortedBits, 0);
            IntVector v1 = L == 16 ? v0 : IntVector.fromArray(I, sortedBits, L);
            IntVector c0 = IntVector.fromArray(I, sortedCodes, 0);
            IntVector c1 = L == 16 ? c0 : IntVector.fromArray(I, sortedCodes, L);
            for (; i <= len - L; i += L) {
                FloatVector v = FloatVector.fromArray(F, values, i).mul(inv).max(-1f).min(1f);
                IntVector below = IntVector.broadcast(I, -1);
                for (int k = 0; k < distinct - 1; k++) {
                    below = below.add(1, v.compare(VectorOperators.GE, sorted[k]).cast(I));
                }
                IntVector lo = below.max(0);
                IntVector hi = lo.add(1);
                FloatVector dLo = v.sub((L == 16 ? lo.selectFrom(v0) : lo.selectFrom(v0, v1)).reinterpretAsFloats())
                        .abs();
                FloatVector dHi = v.sub((L == 16 ? hi.selectFrom(v0) : hi.selectFrom(v0, v1)).reinterpretAsFloats())
                        .abs();
                IntVector cLo = L == 16 ? lo.selectFrom(c0) : lo.selectFrom(c0, c1);
                IntVector cHi = L == 16 ? hi.selectFrom(c0) : hi.selectFrom(c0, c1);
                cLo.min(cHi).blend(cLo, dLo.lt(dHi).cast(I)).blend(cHi, dHi.lt(dLo).cast(I)).intoArray(out, i);
            }
        }
        for (; i < len; i++) {
            out[i] = code.nearest(Math.clamp(values[i] * inv, -1f, 1f));
        }
    }
}
