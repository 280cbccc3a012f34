package dev.idefics4j.image;

import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The formats and modes beyond the reference fixtures, made by Pillow 9.4 (src/test/resources/images/make_images.py)
 * with the pixels Pillow decodes stored beside each file (.rgb).
 */
class ImageFormatsTest {
    private static final ImageLoader LOADER = new ImageLoader();
    private static final double MEAN_LOSSY_WEBP_DIFF = 10; // measured 6.5

    @AfterAll
    static void close() {
        LOADER.close();
    }

    static byte[] resource(String name) {
        try (InputStream in = ImageFormatsTest.class.getResourceAsStream("/images/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource images/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RgbImage load(String name) {
        return LOADER.load(ImageSource.bytes(resource(name), name));
    }

    /** What Pillow 9.4 + convert_to_rgb gives for {@code name}, same size as the generated images (24 x 16). */
    private static RgbImage pillow(String name) {
        return new RgbImage(24, 16, resource(name.substring(0, name.lastIndexOf('.')) + ".rgb"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"progressive.jpg", "gray.jpg", "subsampled422.jpg", "cmyk.jpg", "cmyk_red.jpg",
            "rgb16.png", "rgba16.png", "gray16.png", "gray16_trns.png", "gray_trns.png", "rgb_trns.png",
            "gray4_trns.png", "bilevel.png", "palette4.png", "palette_trns.png", "lossless.webp",
            "lossless_alpha.webp", "rgb24.bmp", "palette8.bmp",
            "gif_offset.gif", "gif_offset_trns.gif", "gif_grows_screen.gif"})
    void decodesExactlyAsPillow(String name) {
        ImageProcessorFixtureTest.assertSamePixels(pillow(name), load(name), name);
    }

    /** transformers' load_image (Pillow's convert("RGB")) keeps the colour under transparent pixels. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rgba16.png", "gray16_trns.png", "gray_trns.png", "gray4_trns.png", "palette_trns.png",
            "rgb_trns.png", "lossless_alpha.webp", "gif_offset_trns.gif", "bilevel.png"})
    void dropsAlphaAsPillowConvertRgb(String name) {
        RgbImage expected = new RgbImage(24, 16, resource("load_image/" + name + ".rgb"));
        RgbImage actual = LOADER.load(ImageSource.bytes(resource(name), name), RgbConversion.DROP_ALPHA);
        ImageProcessorFixtureTest.assertSamePixels(expected, actual, name);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"astronaut_rgba_64x80.png", "camera_la_40x40.png", "coffee_palette_48x48.gif",
            "camera_gray_50x40.png"})
    void dropsAlphaOfFixtureImagesAsPillowConvertRgb(String name) {
        RgbImage actual = LOADER.load(ImageSource.file(TestData.fixture("images/" + name)), RgbConversion.DROP_ALPHA);
        RgbImage expected = new RgbImage(actual.width(), actual.height(), resource("load_image/" + name + ".rgb"));
        ImageProcessorFixtureTest.assertSamePixels(expected, actual, name);
    }

    /**
     * Lossy WebP without libwebp: TwelveMonkeys' VP8 decoder upsamples chroma by pixel replication where libwebp
     * (Pillow) uses its "fancy" bilinear upsampling, so pixels next to sharp colour edges differ (up to ~90 on this
     * synthetic image); flat areas agree within a few levels. libwebp gives Pillow's pixels (DecoderCorpusTest).
     */
    @Test
    void lossyWebpFallbackIsCloseToPillow() {
        RgbImage expected = pillow("lossy.webp");
        RgbImage actual = ImageDecoder.decode(resource("lossy.webp"), "lossy.webp", ImageLimits.DEFAULTS,
                RgbConversion.OVER_WHITE, false).image();
        long sum = 0;
        for (int y = 0; y < expected.height(); y++) {
            for (int x = 0; x < expected.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    sum += Math.abs(expected.sample(x, y, c) - actual.sample(x, y, c));
                }
            }
        }
        double mean = sum / (3.0 * expected.width() * expected.height());
        assertTrue(mean < MEAN_LOSSY_WEBP_DIFF, "lossy.webp: mean difference from Pillow " + mean);
    }

    @Test
    void cmykJpegGivesItsColour() {
        RgbImage red = load("cmyk_red.jpg");
        for (int y = 0; y < red.height(); y++) {
            for (int x = 0; x < red.width(); x++) {
                assertPixel(red, x, y, 255, 0, 0, 2, "CMYK (0,255,255,0)");
            }
        }
    }

    /** The generated images' right half holds solid blocks; lossy codecs must keep them within a tolerance. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"progressive.jpg", "cmyk.jpg", "rgb16.png", "rgba16.png", "lossless.webp",
            "lossless_alpha.webp", "lossy.webp", "rgb24.bmp", "rgb_trns.png"})
    void solidBlocksKeepTheirColour(String name) {
        RgbImage image = load(name);
        int tolerance = name.endsWith(".png") || name.startsWith("lossless") || name.endsWith(".bmp") ? 0 : 12;
        assertPixel(image, 14, 2, 200, 30, 40, tolerance, name + " red block");
        assertPixel(image, 21, 2, 20, 180, 60, tolerance, name + " green block");
        if (!name.contains("alpha") && !name.startsWith("rgba")) {
            assertPixel(image, 14, 13, 30, 60, 220, tolerance, name + " blue block");
        }
    }

    @Test
    void transparentPixelsBecomeWhite() {
        // Rows 4-7 of the alpha images are fully transparent (make_images.py: alpha_pattern).
        for (String name : new String[]{"rgba16.png", "lossless_alpha.webp"}) {
            assertPixel(load(name), 5, 5, 255, 255, 255, 0, name);
        }
    }

    @Test
    void sixteenBitGrayIsClippedAsPillowDoes() {
        // Pillow opens 16-bit grey PNGs as mode I and clips them to 0..255 (values above 255 turn white).
        RgbImage image = load("gray16.png");
        assertPixel(image, 10, 0, 130, 130, 130, 0, "value 130");
        assertPixel(image, 20, 0, 255, 255, 255, 0, "value 260");
    }

    /** Pillow never applies embedded colour profiles or gamma; neither may we (Java2D would, given the chance). */
    private static final byte[] LINEAR_RGB_PROFILE = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();

    @Test
    void jpegIccProfileIsIgnored() {
        byte[] jpeg = resource("progressive.jpg");
        byte[] app2 = concat("ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII), new byte[]{1, 1},
                LINEAR_RGB_PROFILE);
        byte[] segment = concat(new byte[]{(byte) 0xFF, (byte) 0xE2, (byte) ((app2.length + 2) >> 8),
                (byte) (app2.length + 2)}, app2);
        byte[] withProfile = concat(Arrays.copyOf(jpeg, 2), segment, Arrays.copyOfRange(jpeg, 2, jpeg.length));
        assertSameAsWithout("progressive.jpg", withProfile);
    }

    @Test
    void pngIccProfileAndGammaAreIgnored() {
        byte[] png = resource("rgb16.png");
        int afterHeader = 8 + 25; // signature, IHDR chunk
        Deflater deflater = new Deflater();
        deflater.setInput(LINEAR_RGB_PROFILE);
        deflater.finish();
        byte[] compressed = new byte[LINEAR_RGB_PROFILE.length + 64];
        compressed = Arrays.copyOf(compressed, deflater.deflate(compressed));
        byte[] chunks = concat(pngChunk("gAMA", new byte[]{0, 1, (byte) 0x86, (byte) 0xA0}),
                pngChunk("iCCP", concat("linear\0\0".getBytes(StandardCharsets.US_ASCII), compressed)));
        assertSameAsWithout("rgb16.png", concat(Arrays.copyOf(png, afterHeader), chunks,
                Arrays.copyOfRange(png, afterHeader, png.length)));
    }

    @Test
    void webpIccProfileIsIgnored() {
        byte[] webp = resource("lossless.webp"); // a simple VP8L file: RIFF header, then one VP8L chunk
        byte[] vp8x = concat(ascii("VP8X"), le32(10), new byte[]{0x20, 0, 0, 0}, Arrays.copyOf(le32(23), 3),
                Arrays.copyOf(le32(15), 3));
        byte[] iccp = concat(ascii("ICCP"), le32(LINEAR_RGB_PROFILE.length), LINEAR_RGB_PROFILE,
                new byte[LINEAR_RGB_PROFILE.length % 2]);
        byte[] body = concat(ascii("WEBP"), vp8x, iccp, Arrays.copyOfRange(webp, 12, webp.length));
        assertSameAsWithout("lossless.webp", concat(ascii("RIFF"), le32(body.length), body));
    }

    private static void assertSameAsWithout(String name, byte[] withProfile) {
        ImageProcessorFixtureTest.assertSamePixels(load(name),
                LOADER.load(ImageSource.bytes(withProfile, name + " + linear-RGB profile")), name + " + profile");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] pngChunk(String type, byte[] data) {
        byte[] typeBytes = ascii(type);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return concat(ByteBuffer.allocate(4).putInt(data.length).array(), typeBytes, data,
                ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void assertPixel(RgbImage image, int x, int y, int r, int g, int b, int tolerance, String what) {
        int[] expected = {r, g, b};
        for (int c = 0; c < 3; c++) {
            int actual = image.sample(x, y, c);
            if (Math.abs(actual - expected[c]) > tolerance) {
                fail(what + " at (" + x + "," + y + ") channel " + c + ": " + actual + ", expected " + expected[c]
                        + " +-" + tolerance);
            }
        }
    }
}
