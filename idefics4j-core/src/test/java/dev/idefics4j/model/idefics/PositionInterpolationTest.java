package dev.idefics4j.model.idefics;

import dev.idefics4j.tensor.BicubicInterpolation;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Images of another size than image_size: the reference's interpolate_pos_encoding. */
class PositionInterpolationTest {
    @Test
    void bicubicMatchesTorchOnAKnownCase() {
        // Values printed by PyTorch 1.13: torch.nn.functional.interpolate(torch.arange(4.).reshape(1,1,2,2),
        // scale_factor=2, mode="bicubic", align_corners=False)[0,0,0].
        float[] src = {0, 1, 2, 3};
        float[] out = BicubicInterpolation.resize(src, 2, 2, 1, 2.0, 2.0);
        assertEquals(16, out.length);
        float[] expected = {-0.31640625f, 0.015625f, 0.5625f, 0.89453125f};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], out[i], 1e-6, "column " + i);
        }
        // torch.arange(30.).reshape(1,1,5,6) at scale_factor=(6.1/5, 7.1/6): 6x7, first and last rows (torch sums
        // the 16 taps in another order: float rounding differs by ~2e-5 on values up to 29).
        float[] grid = new float[30];
        for (int i = 0; i < 30; i++) {
            grid[i] = i;
        }
        float[] up = BicubicInterpolation.resize(grid, 5, 6, 1, 6.1 / 5, 7.1 / 6);
        assertEquals(42, up.length);
        double[] first = {-0.38531583547592163, 0.35290664434432983, 1.2500675916671753, 2.1323652267456055,
                3.008577346801758, 3.870365619659424, 4.658846378326416};
        double[] last = {23.986827850341797, 24.725053787231445, 25.622215270996094, 26.504518508911133,
                27.38072967529297, 28.242511749267578, 29.030981063842773};
        for (int i = 0; i < 7; i++) {
            assertEquals(first[i], up[i], 1e-4, "first row, column " + i);
            assertEquals(last[i], up[35 + i], 1e-4, "last row, column " + i);
        }
        float[] same = BicubicInterpolation.resize(src, 2, 2, 1, 1.0, 1.0);
        for (int i = 0; i < 4; i++) {
            assertEquals(src[i], same[i], 1e-6, "identity at scale 1");
        }
    }

    @Test
    void largerImagesGetMoreVisionTokens() {
        try (IdeficsModel model = IdeficsModel.load(TestData.model("tiny-noresampler"))) {
            int size = 36; // 6 patches of 6 instead of 5
            float[] pixels = new float[3 * size * size];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) Math.sin(i * 0.01);
            }
            ImageContext ctx = model.encodeImages(pixels, 1, 1, null, null);
            assertEquals(37, ctx.imageSeqLen(), "1 + 6x6 vision tokens, no resampler");
            for (float v : ctx.states(0)) {
                assertTrue(Float.isFinite(v));
            }
            assertThrows(IllegalArgumentException.class, () -> model.encodeImages(new float[3 * 30 * 29], 1, 1, null, null));
        }
    }
}
