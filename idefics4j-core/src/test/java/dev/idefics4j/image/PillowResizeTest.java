package dev.idefics4j.image;

import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three filters against Pillow 9.4 at sizes the fixtures lack (one axis only, 1 pixel, extreme aspect changes,
 * a checkerboard whose sums overshoot 0..255), from resources made by make_resize_cases.py.
 */
class PillowResizeTest {
    private static final ImageLoader LOADER = new ImageLoader();

    @AfterAll
    static void close() {
        LOADER.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cat_small_20x16.png_20x7_bicubic", "cat_small_20x16.png_33x16_bicubic",
            "cat_small_20x16.png_1x1_bicubic", "cat_small_20x16.png_5x3_bicubic", "cat_small_20x16.png_57x41_bicubic",
            "cat_rgb_97x61.jpg_97x200_bicubic", "cat_rgb_97x61.jpg_13x61_bicubic", "cat_rgb_97x61.jpg_300x20_bicubic",
            "cat_small_20x16.png_20x7_bilinear", "cat_small_20x16.png_33x16_bilinear",
            "cat_small_20x16.png_1x1_bilinear", "cat_small_20x16.png_1x16_bilinear",
            "cat_small_20x16.png_57x41_bilinear", "cat_rgb_97x61.jpg_13x61_bilinear",
            "cat_rgb_97x61.jpg_32x21_bilinear", "checker9x7_31x23_bilinear", "checker9x7_4x3_bilinear",
            "cat_small_20x16.png_20x7_lanczos", "cat_small_20x16.png_33x16_lanczos", "cat_small_20x16.png_1x1_lanczos",
            "cat_small_20x16.png_20x1_lanczos", "cat_small_20x16.png_5x3_lanczos", "cat_small_20x16.png_72x58_lanczos",
            "cat_rgb_97x61.jpg_72x46_lanczos", "cat_rgb_97x61.jpg_13x61_lanczos", "cat_rgb_97x61.jpg_150x9_lanczos",
            "checker9x7_31x23_lanczos", "checker9x7_4x3_lanczos", "checker9x7_9x40_lanczos"})
    void matchesPillow(String resizeCase) {
        String[] parts = resizeCase.split("_");
        ResampleFilter filter = ResampleFilter.valueOf(parts[parts.length - 1].toUpperCase(Locale.ROOT));
        String[] size = parts[parts.length - 2].split("x");
        int width = Integer.parseInt(size[0]);
        int height = Integer.parseInt(size[1]);
        String source = resizeCase.substring(0, resizeCase.lastIndexOf('_', resizeCase.lastIndexOf('_') - 1));
        RgbImage image = source.equals("checker9x7") ? checker(9, 7)
                : LOADER.load(ImageSource.file(TestData.fixture("images/" + source)));
        RgbImage expected = new RgbImage(width, height, ImageFormatsTest.resource("resize/" + resizeCase + ".rgb"));
        ImageProcessorFixtureTest.assertSamePixels(expected, PillowResize.resize(image, width, height, filter),
                resizeCase);
    }

    /** make_resize_cases.py's checkerboard: black and white squares, every third white one tinted. */
    private static RgbImage checker(int width, int height) {
        byte[] pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean white = (x + y) % 2 == 0;
                boolean tinted = (x + 2 * y) % 3 == 0;
                int p = (y * width + x) * 3;
                pixels[p] = (byte) (white ? 255 : 0);
                pixels[p + 1] = (byte) (white ? (tinted ? 40 : 255) : 0);
                pixels[p + 2] = (byte) (white ? 255 : 0);
            }
        }
        return new RgbImage(width, height, pixels);
    }

    @ParameterizedTest
    @EnumSource(ResampleFilter.class)
    void sameSizeIsTheImageItself(ResampleFilter filter) {
        RgbImage image = new RgbImage(2, 1, new byte[]{1, 2, 3, 4, 5, 6});
        assertSame(image, PillowResize.resize(image, 2, 1, filter));
    }

    @ParameterizedTest
    @EnumSource(ResampleFilter.class)
    void solidColourStaysSolid(ResampleFilter filter) {
        byte[] pixels = new byte[7 * 5 * 3];
        for (int i = 0; i < pixels.length; i += 3) {
            pixels[i] = (byte) 200;
            pixels[i + 1] = 30;
            pixels[i + 2] = (byte) 255;
        }
        RgbImage resized = PillowResize.resize(new RgbImage(7, 5, pixels), 23, 2, filter);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 23; x++) {
                assertEquals(200, resized.sample(x, y, 0));
                assertEquals(30, resized.sample(x, y, 1));
                assertEquals(255, resized.sample(x, y, 2));
            }
        }
    }

    @Test
    void bicubicKernelIsKeysCubicWithAMinusHalf() {
        assertEquals(1.0, ResampleFilter.BICUBIC.weight(0));
        assertEquals(0.0, ResampleFilter.BICUBIC.weight(1), 0.0);
        assertEquals(0.0, ResampleFilter.BICUBIC.weight(2), 0.0);
        assertEquals(-0.0625, ResampleFilter.BICUBIC.weight(1.5));
        assertEquals(0.5625, ResampleFilter.BICUBIC.weight(-0.5));
    }

    @Test
    void lanczosKernelIsWindowedSincOnAHalfOpenWindow() {
        assertEquals(1.0, ResampleFilter.LANCZOS.weight(0));
        assertEquals(0.0, ResampleFilter.LANCZOS.weight(1), 1e-16);
        double half = Math.sin(Math.PI / 2) / (Math.PI / 2) * Math.sin(Math.PI / 6) / (Math.PI / 6);
        assertEquals(half, ResampleFilter.LANCZOS.weight(0.5), 1e-15);
        assertTrue(ResampleFilter.LANCZOS.weight(1.5) < 0, "negative lobe");
        assertEquals(0.0, ResampleFilter.LANCZOS.weight(3.0));
        assertNotEquals(0.0, ResampleFilter.LANCZOS.weight(-2.99));
    }

    @Test
    void bilinearKernelIsATent() {
        assertEquals(1.0, ResampleFilter.BILINEAR.weight(0));
        assertEquals(0.75, ResampleFilter.BILINEAR.weight(-0.25));
        assertEquals(0.0, ResampleFilter.BILINEAR.weight(1));
    }

    @Test
    void configCodesArePillowResampling() {
        assertEquals(ResampleFilter.LANCZOS, ResampleFilter.fromPillowCode(1));
        assertEquals(ResampleFilter.BILINEAR, ResampleFilter.fromPillowCode(2));
        assertEquals(ResampleFilter.BICUBIC, ResampleFilter.fromPillowCode(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResampleFilter.fromPillowCode(0));
        assertTrue(e.getMessage().contains("NEAREST"), e.getMessage());
    }

    @Test
    void rejectsEmptyTargets() {
        RgbImage image = new RgbImage(1, 1, new byte[3]);
        assertThrows(IllegalArgumentException.class, () -> PillowResize.resize(image, 0, 5, ResampleFilter.LANCZOS));
    }
}
