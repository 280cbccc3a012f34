package dev.idefics4j.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Padding images dropped, and the two families' rules from pixel mask to patch mask. */
class VisionBatchTest {
    /** Three 1-channel 4x6 images: a real one, a padding one (zeros, one of them negative), a real one. */
    private static float[] pixels() {
        float[] p = new float[3 * 4 * 6];
        p[0] = 0.5f;
        p[24] = -0f;
        p[2 * 24 + 23] = -1f;
        return p;
    }

    /** Each image's real pixels: the top 3 rows and left 3 columns (a 3x3 image padded to 4x6). */
    private static boolean[] pixelMask() {
        boolean[] m = new boolean[3 * 4 * 6];
        for (int i = 0; i < 3; i++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 3; x++) {
                    m[i * 24 + y * 6 + x] = true;
                }
            }
        }
        return m;
    }

    @Test
    void paddingImagesAreDropped() {
        VisionBatch b = VisionBatch.of(pixels(), pixelMask(), 3, 1, 4, 6, 2, VisionBatch.PatchRule.ANY_PIXEL);
        assertArrayEquals(new int[]{0, 2}, b.images());
        assertEquals(2, b.count());
        assertEquals(2 * 24, b.pixelOffset(1));
    }

    @Test
    void idefics3CountsAPatchWithAnyRealPixel() {
        VisionBatch b = VisionBatch.of(pixels(), pixelMask(), 3, 1, 4, 6, 2, VisionBatch.PatchRule.ANY_PIXEL);
        boolean[] one = {true, true, false, true, true, false};
        assertArrayEquals(concat(one, one), b.patchMask());
        assertArrayEquals(one, b.keyValid(1));
    }

    @Test
    void idefics2CountsAPatchOnlyWhenAllItsPixelsAreReal() {
        VisionBatch b = VisionBatch.of(pixels(), pixelMask(), 3, 1, 4, 6, 2, VisionBatch.PatchRule.ALL_PIXELS);
        boolean[] one = {true, false, false, false, false, false};
        assertArrayEquals(concat(one, one), b.patchMask());
    }

    @Test
    void noMaskMeansEveryPatchIsValid() {
        VisionBatch b = VisionBatch.of(pixels(), null, 3, 1, 4, 6, 2, VisionBatch.PatchRule.ALL_PIXELS);
        assertEquals(12, b.patchMask().length);
        for (boolean v : b.patchMask()) {
            assertTrue(v);
        }
        assertNull(b.keyValid(0));
    }

    @Test
    void pixelsPastTheLastWholePatchAreIgnored() {
        // 5x7 pixels make 2x3 patches of 2; the last row and column of pixels belong to none.
        float[] p = new float[35];
        p[34] = 1f;
        boolean[] m = new boolean[35];
        m[34] = true;
        m[0] = true;
        VisionBatch b = VisionBatch.of(p, m, 1, 1, 5, 7, 2, VisionBatch.PatchRule.ANY_PIXEL);
        assertEquals(6, b.patches());
        assertArrayEquals(new boolean[]{true, false, false, false, false, false}, b.patchMask());
    }

    @Test
    void wrongSizesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VisionBatch.of(new float[10], null, 1, 1, 4, 6, 2, VisionBatch.PatchRule.ANY_PIXEL));
        assertTrue(e.getMessage().contains("pixel_values hold 10 values"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> VisionBatch.of(pixels(), new boolean[5], 3, 1, 4, 6, 2, VisionBatch.PatchRule.ANY_PIXEL));
        assertTrue(e.getMessage().contains("pixel_attention_mask holds 5 values"), e.getMessage());
    }

    private static boolean[] concat(boolean[] a, boolean[] b) {
        boolean[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
