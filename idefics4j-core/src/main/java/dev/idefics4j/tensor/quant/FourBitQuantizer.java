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
 * Quantizes a weight as bitsandbytes' {@code quantize_4bit} does on a GPU ({@code kQuantizeBlockwise} in
 * {@code csrc/kernels.cu}): per block of the flattened weight, {@code absmax = max|w|}, {@code inv = 1 / absmax},
 * code = {@link FourBitCode#encode}{@code (w * inv)} in float32, packed {@code code[2j] << 4 | code[2j+1]}, an odd
 * count padded with a 0 weight. With double quantization the absmax scales are then quantized again
 * ({@link NestedAbsmaxScales}). Blocks are independent, so they are quantized in parallel.
 * <p>
 * bitsandbytes builds its kernels with {@code --use_fast_math}, which flushes subnormal inputs and results to zero:
 * a subnormal weight counts as 0 in the absmax and the code, and a product below the smallest normal float is 0 (so
 * FP4 gives it code 0, not the sign bit). An all-zero block has absmax 0, an infinite reciprocal and NaN products,
 * which the tree sends to code 0. Its reciprocal is the fast one ({@code rcp.approx}, within an ulp of the correctly
 * rounded one used here), which can move a code only where a weight's ratio to its absmax lies within about an ulp of
 * a threshold.
 */
final class FourBitQuantizer {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

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
        Tree tree = new Tree(code);
        Parallel.forChunks(blocks, blocksize * 16L, (b0, b1) -> {
            float[] values = new float[blocksize];
            int[] codes = new int[blocksize];
            for (int b = b0; b < b1; b++) {
                long start = (long) b * blocksize;
                int len = (int) Math.min(blocksize, numel - start);
                Kernels.widen(w.data(), w.dtype(), start, values, 0, len);
                float max = flushAndAbsmax(values, len);
                absmax[b] = max;
                // Only the last block can be odd (blocksize is even), so there is room for the padding weight.
                int even = len + (len & 1);
                if (even > len) {
                    values[len] = 0f;
                }
                encode(code, tree, values, even, 1f / max, codes);
                for (int i = 0; i < even; i += 2) {
                    packed.set(ValueLayout.JAVA_BYTE, (start + i) >> 1, (byte) (codes[i] << 4 | codes[i + 1]));
                }
            }
        });
        BlockScales scales = doubleQuant ? NestedAbsmaxScales.quantize(absmax) : AbsmaxScales.of(absmax);
        return new FourBitWeight(w.name(), w.rows(), w.cols(), code, code.table(), blocksize, packed, scales,
                w.dtype());
    }

    /**
     * The code's decision tree as {@link #encode} walks it L values at a time: starting from the leftmost leaf's
     * code, each threshold a value exceeds adds the difference between the codes of the leaves on either side of it
     * (the thresholds ascend, so a value exceeding k of them exceeds the first k and ends on leaf k).
     */
    private static final class Tree {
        final float[] thresholds;
        final int[] steps;
        final int firstLeaf;
        final boolean signMagnitude;

        Tree(FourBitCode code) {
            thresholds = code.thresholds();
            int[] leaves = code.leaves();
            steps = new int[thresholds.length];
            for (int k = 0; k < steps.length; k++) {
                steps[k] = leaves[k + 1] - leaves[k];
            }
            firstLeaf = leaves[0];
            signMagnitude = code.signMagnitude();
        }
    }

    /** Flushes the subnormal values of {@code values[0, len)} to zero in place and returns their largest |value|. */
    private static float flushAndAbsmax(float[] values, int len) {
        int i = 0;
        FloatVector m = FloatVector.zero(F);
        for (; i <= len - L; i += L) {
            FloatVector v = flush(FloatVector.fromArray(F, values, i));
            v.intoArray(values, i);
            m = m.max(v.abs());
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            values[i] = flush(values[i]);
            max = Math.max(max, Math.abs(values[i]));
        }
        return max;
    }

    private static float flush(float v) {
        return Math.abs(v) < Float.MIN_NORMAL ? 0f : v;
    }

    private static FloatVector flush(FloatVector v) {
        return v.blend(0f, v.abs().lt(Float.MIN_NORMAL));
    }

    /**
     * {@link FourBitCode#encode} of {@code flush(values[i] * inv)} for {@code i < len}, L values at a time with the
     * same float operations and comparisons (NaN fails every comparison in both).
     */
    private static void encode(FourBitCode code, Tree tree, float[] values, int len, float inv, int[] out) {
        float[] thresholds = tree.thresholds;
        int[] steps = tree.steps;
        int i = 0;
        for (; i <= len - L; i += L) {
            FloatVector x = flush(FloatVector.fromArray(F, values, i).mul(inv));
            IntVector c = IntVector.broadcast(I, tree.firstLeaf);
            if (tree.signMagnitude) {
                c = c.add(FourBitCode.SIGN_BIT, x.lt(0f).cast(I));
                x = x.abs();
            }
            for (int k = 0; k < thresholds.length; k++) {
                c = c.add(steps[k], x.compare(VectorOperators.GT, thresholds[k]).cast(I));
            }
            c.intoArray(out, i);
        }
        for (; i < len; i++) {
            out[i] = code.encode(flush(values[i] * inv));
        }
    }
}
