package dev.idefics4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Double-quantized absmax scales, as bitsandbytes' {@code quantize_4bit(compress_statistics=True)} makes them: the
 * mean of the block absmaxes is subtracted ({@code offset}), and the centred values are quantized by
 * {@code quantize_blockwise} in blocks of 256 with the 8-bit dynamic map. One byte per 64 weights instead of four;
 * a scale is {@code map[code] * nestedAbsmax[block / 256] + offset}, in float32 as bitsandbytes computes it.
 */
final class NestedAbsmaxScales implements BlockScales {
    /** bitsandbytes quantizes the absmax scales in blocks of 256 ({@code quantize_blockwise(..., blocksize=256)}). */
    static final int NESTED_BLOCKSIZE = 256;

    private final MemorySegment codes;
    private final MemorySegment nestedAbsmax;
    private final float[] map;
    private final float offset;
    private final int nestedBlocksize;

    NestedAbsmaxScales(MemorySegment codes, MemorySegment nestedAbsmax, float[] map, float offset,
                       int nestedBlocksize) {
        if (map.length != 256) {
            throw new IllegalArgumentException("nested quant map has " + map.length + " entries, not 256");
        }
        long expected = (codes.byteSize() + nestedBlocksize - 1) / nestedBlocksize;
        if (nestedAbsmax.byteSize() != 4 * expected) {
            throw new IllegalArgumentException(codes.byteSize() + " absmax codes need " + expected
                    + " nested absmax values in blocks of " + nestedBlocksize + ", got " + nestedAbsmax.byteSize() / 4);
        }
        this.codes = codes;
        this.nestedAbsmax = nestedAbsmax;
        // Every weight quantized here shares the one dynamic map; a map read from a file is usually that one too.
        this.map = java.util.Arrays.equals(map, DynamicMap.SHARED) ? DynamicMap.SHARED : map.clone();
        this.offset = offset;
        this.nestedBlocksize = nestedBlocksize;
    }

    static NestedAbsmaxScales quantize(float[] absmax) {
        int n = absmax.length;
        // bitsandbytes subtracts absmax.mean() summed in float32 in torch's order: a CUDA reduction on a GPU; on a CPU
        // a cascade over 8 or 16 lanes (AVX2 or AVX-512), split across threads beyond 32768 values. With no one order
        // to follow, the exactly rounded mean, which each of those may miss by an ulp or two.
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        float offset = (float) (sum / n);
        float[] map = DynamicMap.SHARED;
        int zero = DynamicMap.nearest(map, 0f);
        int nested = (n + NESTED_BLOCKSIZE - 1) / NESTED_BLOCKSIZE;
        float[] nestedAbsmax = new float[nested];
        MemorySegment codes = OffHeap.allocate(n);
        for (int j = 0; j < nested; j++) {
            int start = j * NESTED_BLOCKSIZE;
            int end = Math.min(n, start + NESTED_BLOCKSIZE);
            float max = 0;
            for (int i = start; i < end; i++) {
                max = Math.max(max, Math.abs(absmax[i] - offset));
            }
            nestedAbsmax[j] = max;
            float inv = 1f / max;
            for (int i = start; i < end; i++) {
                int code = max == 0 ? zero
                        : DynamicMap.nearest(map, Math.clamp((absmax[i] - offset) * inv, -1f, 1f));
                codes.set(ValueLayout.JAVA_BYTE, i, (byte) code);
            }
        }
        return new NestedAbsmaxScales(codes, OffHeap.floats(nestedAbsmax), map, offset, NESTED_BLOCKSIZE);
    }

    @Override
    public long blocks() {
        return codes.byteSize();
    }

    @Override
    public void decode(long first, int count, float[] out) {
        // In runs sharing one nested scale, so the inner loop is a byte load, a table load and an FMA-like pair.
        int i = 0;
        while (i < count) {
            long b = first + i;
            long group = b / nestedBlocksize;
            int run = (int) Math.min(count - i, (group + 1) * nestedBlocksize - b);
            float scale = nestedAbsmax.getAtIndex(OffHeap.FLOAT_LE, group);
            for (int k = 0; k < run; k++) {
                out[i + k] = map[codes.get(ValueLayout.JAVA_BYTE, b + k) & 0xFF] * scale + offset;
            }
            i += run;
        }
    }

    @Override
    public long byteSize() {
        return codes.byteSize() + nestedAbsmax.byteSize() + (map == DynamicMap.SHARED ? 0 : 4L * map.length);
    }

    @Override
    public MemorySegment absmax() {
        return codes;
    }

    MemorySegment nestedAbsmax() {
        return nestedAbsmax;
    }

    float[] map() {
        return map.clone();
    }

    float offset() {
        return offset;
    }

    int nestedBlocksize() {
        return nestedBlocksize;
    }
}
