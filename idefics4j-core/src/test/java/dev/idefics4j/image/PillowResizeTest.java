package dev.idefics4j.image;

import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Sizes the fixtures lack (one axis only, 1x1, extreme aspect changes), against Pillow 9.4 (make_resize_cases.py). */
class PillowResizeTest {
    private static final ImageLoader LOADER = new ImageLoader();

    @AfterAll
    static void close() {
        LOADER.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cat_small_20x16.png_20x7", "cat_small_20x16.png_33x16", "cat_small_20x16.png_1x1",
            "cat_small_20x16.png_5x3", "cat_small_20x16.png_57x41", "cat_rgb_97x61.jpg_97x200",
            "cat_rgb_97x61.jpg_13x61", "cat_rgb_97x61.jpg_300x20"})
    void matchesPillow(String resizeCase) {
        String image = resizeCase.substring(0, resizeCase.lastIndexOf('_'));
        String[] size = resizeCase.substring(resizeCase.lastIndexOf('_') + 1).split("x");
        int width = Integer.parseInt(size[0]);
        int height = Integer.parseInt(size[1]);
        RgbImage source = LOADER.load(ImageSource.file(TestData.fixture("images/" + image)));
        RgbImage expected = new RgbImage(width, height, ImageFormatsTest.resource("resize/" + resizeCase + ".rgb"));
        ImageProcessorFixtureTest.assertSamePixels(expected, PillowResize.bicubic(source, width, height), resizeCase);
    }

    @Test
    void sameSizeIsTheImageItself() {
        RgbImage image = new RgbImage(2, 1, new byte[]{1, 2, 3, 4, 5, 6});
        assertSame(image, PillowResize.bicubic(image, 2, 1));
    }

    @Test
    void solidColourStaysSolid() {
        byte[] pixels = new byte[7 * 5 * 3];
        for (int i = 0; i < pixels.length; i += 3) {
            pixels[i] = (byte) 200;
            pixels[i + 1] = 30;
            pixels[i + 2] = (byte) 255;
        }
        RgbImage resized = PillowResize.bicubic(new RgbImage(7, 5, pixels), 23, 2);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 23; x++) {
                assertEquals(200, resized.sample(x, y, 0));
                assertEquals(30, resized.sample(x, y, 1));
                assertEquals(255, resized.sample(x, y, 2));
            }
        }
    }

    @Test
    void kernelIsKeysCubicWithAMinusHalf() {
        assertEquals(1.0, PillowResize.bicubicKernel(0));
        assertEquals(0.0, PillowResize.bicubicKernel(1), 0.0);
        assertEquals(0.0, PillowResize.bicubicKernel(2), 0.0);
        assertEquals(-0.0625, PillowResize.bicubicKernel(1.5));
        assertEquals(0.5625, PillowResize.bicubicKernel(-0.5));
    }

    @Test
    void rejectsEmptyTargets() {
        RgbImage image = new RgbImage(1, 1, new byte[3]);
        assertThrows(IllegalArgumentException.class, () -> PillowResize.bicubic(image, 0, 5));
    }
}
