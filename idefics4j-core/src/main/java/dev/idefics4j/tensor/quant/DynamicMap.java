package dev.idefics4j.tensor.quant;

import java.util.Arrays;

/**
 * bitsandbytes' signed 8-bit "dynamic" map ({@code create_dynamic_map(signed=True, max_exponent_bits=7,
 * total_bits=8)}), the code {@code quantize_blockwise} uses by default and so the code of double-quantized absmax
 * scales. For exponent step i = 0..6 it takes the 2^i midpoints of {@code linspace(0.1, 1, 2^i + 1)}, scales them by
 * 10^(i-6) and adds them with both signs; then 0 and 1.0; sorted: 256 values from -0.99296875 to 1.0.
 * Computed here in double and rounded once to float; torch computes in float32 and may differ by an ulp, which does
 * not matter for loading because a saved checkpoint carries its map ({@code nested_quant_map}).
 */
final class DynamicMap {
    /** The map itself, shared read-only by every double-quantized weight (never handed out for writing). */
    static final float[] SHARED = build();

    private DynamicMap() {
    }

    private static float[] build() {
        float[] data = new float[256];
        int n = 0;
        for (int i = 0; i < 7; i++) {
            int items = (1 << i) + 1;
            double scale = Math.pow(10, i - 6);
            for (int k = 0; k < items - 1; k++) {
                double lo = 0.1 + 0.9 * k / (items - 1);
                double hi = 0.1 + 0.9 * (k + 1) / (items - 1);
                double mean = (lo + hi) / 2;
                data[n++] = (float) (scale * mean);
                data[n++] = (float) (-scale * mean);
            }
        }
        data[n++] = 0f;
        data[n++] = 1f;
        if (n != 256) {
            throw new AssertionError("dynamic map has " + n + " values");
        }
        Arrays.sort(data);
        return data;
    }

    /** The 256 values, ascending; a copy. */
    static float[] values() {
        return SHARED.clone();
    }

    /**
     * Index of the entry of ascending {@code map} nearest to {@code v} (ties: lower index, as torch.argmin in
     * bitsandbytes' reference quantize_blockwise).
     */
    static int nearest(float[] map, float v) {
        int lo = 0;
        int hi = map.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (map[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // lo: first entry >= v (or the last entry); its lower neighbour may be nearer.
        if (lo > 0 && Math.abs(v - map[lo - 1]) <= Math.abs(v - map[lo])) {
            return lo - 1;
        }
        return lo;
    }
}
