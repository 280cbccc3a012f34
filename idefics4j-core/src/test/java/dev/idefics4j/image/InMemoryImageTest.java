package dev.idefics4j.image;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BufferedImages handed in directly: samples read as the colour model says, alpha composited over white. */
class InMemoryImageTest {
    private static final ImageLoader LOADER = new ImageLoader();

    private static RgbImage load(BufferedImage image) {
        return LOADER.load(ImageSource.image(image));
    }

    @Test
    void argbIsCompositedOverWhiteWithPillowsRounding() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x80646464); // (100,100,100) at alpha 128
        image.setRGB(1, 0, 0x00123456); // fully transparent
        RgbImage rgb = load(image);
        // Pillow 9.4: Image.alpha_composite(white, (100,100,100,128)) gives 177 (checked for all 65536 pairs).
        assertEquals(177, rgb.sample(0, 0, 0));
        assertEquals(255, rgb.sample(1, 0, 2));
    }

    @Test
    void compositingMatchesPillowSpotValues() {
        assertEquals(254, PillowRgbConversion.overWhite(0, 1));
        assertEquals(200, PillowRgbConversion.overWhite(200, 254));
        assertEquals(189, PillowRgbConversion.overWhite(37, 77));
        for (int c = 0; c < 256; c++) {
            assertEquals(c, PillowRgbConversion.overWhite(c, 255));
        }
    }

    @Test
    void bgrIsReadInRgbOrder() {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_3BYTE_BGR);
        image.setRGB(0, 0, 0xFF0A141E);
        RgbImage rgb = load(image);
        assertEquals(10, rgb.sample(0, 0, 0));
        assertEquals(20, rgb.sample(0, 0, 1));
        assertEquals(30, rgb.sample(0, 0, 2));
    }

    @Test
    void greyKeepsItsRawValueWithoutGammaConversion() {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(0, 0, 0, 128);
        RgbImage rgb = load(image);
        for (int c = 0; c < 3; c++) {
            assertEquals(128, rgb.sample(0, 0, c));
        }
        BufferedImage wide = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        wide.getRaster().setSample(0, 0, 0, 0x8040);
        assertEquals(0x80, load(wide).sample(0, 0, 0), "16-bit samples keep their high byte");
    }

    @Test
    void premultipliedAlphaGoesThroughJava2D() {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB_PRE);
        image.setRGB(0, 0, 0xFFC81E28);
        RgbImage rgb = load(image);
        assertEquals(200, rgb.sample(0, 0, 0));
        assertEquals(30, rgb.sample(0, 0, 1));
        assertEquals(40, rgb.sample(0, 0, 2));
    }

    @Test
    void binaryImageIsBlackAndWhite() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY);
        image.getRaster().setSample(1, 0, 0, 1);
        RgbImage rgb = load(image);
        assertEquals(0, rgb.sample(0, 0, 0));
        assertEquals(255, rgb.sample(1, 0, 0));
    }

    @Test
    void pixelLimitAppliesToo() {
        try (ImageLoader strict = new ImageLoader(ImageLimits.DEFAULTS.withMaxPixels(10))) {
            ImageSource big = ImageSource.image(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB));
            ImageLoadException e = assertThrows(ImageLoadException.class, () -> strict.load(big));
            assertTrue(e.getMessage().startsWith("in-memory 4x4 image: "), e.getMessage());
        }
    }
}
