package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.Parallel;
import dev.idefics4j.tensor.Weight;

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
        Parallel.forChunks(blocks, blocksize * 16L, (b0, b1) -> {
            float[] values = new float[blocksize];
            int[] codes = new int[blocksize + 1];
            for (int b = b0; b < b1; b++) {
                long start = (long) b * blocksize;
                int len = (int) Math.min(blocksize, numel - start);
                Kernels.widen(w.data(), w.dtype(), start, values, 0, len);
                float max = 0;
                for (int i = 0; i < len; i++) {
                    max = Math.max(max, Math.abs(values[i]));
                }
                absmax[b] = max;
                if (max == 0) {
                    java.util.Arrays.fill(codes, zero);
                } else {
                    float inv = 1f / max;
                    for (int i = 0; i < len; i++) {
                        codes[i] = code.nearest(Math.clamp(values[i] * inv, -1f, 1f));
                    }
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
}
