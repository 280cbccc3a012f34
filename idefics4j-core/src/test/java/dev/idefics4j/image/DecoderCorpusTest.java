package dev.idefics4j.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The decoder corpus (src/test/resources/images/decoders, made by its make_corpus.py with Pillow 9.4 and Debian's
 * cjpeg, jpegtran and cwebp): JPEG through libjpeg-turbo and WebP through libwebp give Pillow 9.4's pixels exactly
 * where those libraries are on the machine (skipped with the reason where they are not, except under CI=true, whose
 * machine installs them), TIFF through TwelveMonkeys' reader everywhere. The pure-Java fallbacks' differences are
 * pinned as the README states them.
 */
class DecoderCorpusTest {
    static final List<String> FILES = manifest();

    private static List<String> manifest() {
        String tsv = new String(resource("manifest.tsv"), StandardCharsets.UTF_8);
        return tsv.lines().skip(1).map(line -> line.split("\t")[0]).toList();
    }

    static byte[] resource(String name) {
        return ImageFormatsTest.resource("decoders/" + name);
    }

    static Stream<String> files(String extension) {
        return FILES.stream().filter(name -> name.endsWith(extension));
    }

    static Stream<String> jpegFiles() {
        return files(".jpg");
    }

    static Stream<String> webpFiles() {
        return files(".webp");
    }

    static Stream<String> tiffFiles() {
        return files(".tif");
    }

    private static String stem(String name) {
        return name.substring(0, name.lastIndexOf('.'));
    }

    /** Pillow 9.4's decode after transformers' convert_to_rgb. */
    static RgbImage pillow(String name, RgbImage sized) {
        return new RgbImage(sized.width(), sized.height(), resource(stem(name) + ".rgb"));
    }

    static DecodedImage decode(String name, boolean nativeDecoders) {
        return ImageDecoder.decode(resource(name), name, ImageLimits.DEFAULTS, RgbConversion.OVER_WHITE,
                nativeDecoders);
    }

    /** Skips where the library is missing, except under CI, whose machine installs it (scripts/install-image-libraries). */
    static void assumeLoaded(String library, boolean available, String reason) {
        if (!available && "true".equals(System.getenv("CI"))) {
            fail(library + " must load under CI (scripts/install-image-libraries installs it): " + reason);
        }
        assumeTrue(available, library + " is not available here, the pure-Java decoder runs instead: " + reason);
    }

    static Stream<String> nativeFiles() {
        return Stream.concat(jpegFiles(), webpFiles());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nativeFiles")
    void nativeDecodersGivePillowsPixels(String name) {
        boolean jpeg = name.endsWith(".jpg");
        String library = jpeg ? "libjpeg-turbo" : "libwebp";
        assumeLoaded(library, jpeg ? LibjpegDecoder.available() : LibwebpDecoder.available(),
                jpeg ? LibjpegDecoder.unavailableReason() : LibwebpDecoder.unavailableReason());
        DecodedImage decoded = decode(name, true);
        assertEquals(library, decoded.decoder());
        ImageProcessorFixtureTest.assertSamePixels(pillow(name, decoded.image()), decoded.image(), name);
    }

    /**
     * Files Pillow opens as RGBA keep their alpha, sample for sample, until the RGB conversion, composited
     * ({@code convert_to_rgb}, above) or dropped ({@code convert("RGB")}).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("webpFiles")
    void webpKeepsPillowsModeAndAlpha(String name) {
        assumeLoaded("libwebp", LibwebpDecoder.available(), LibwebpDecoder.unavailableReason());
        DecodedPixels pixels = LibwebpDecoder.decode(resource(name), name, ImageLimits.DEFAULTS);
        boolean alpha = DecoderCorpusTest.class.getResource("/images/decoders/" + stem(name) + ".rgba") != null;
        assertEquals(alpha ? 4 : 3, pixels.channels(), name + ": Pillow's mode is " + (alpha ? "RGBA" : "RGB"));
        if (alpha) {
            byte[] rgba = resource(stem(name) + ".rgba");
            assertArrayEquals(rgba, pixels.samples(), name + " RGBA samples");
            // transformers' load_image, Pillow's convert("RGB"): the colour channels, alpha dropped.
            byte[] rgb = new byte[rgba.length / 4 * 3];
            for (int i = 0, o = 0; i < rgba.length; i += 4) {
                rgb[o++] = rgba[i];
                rgb[o++] = rgba[i + 1];
                rgb[o++] = rgba[i + 2];
            }
            RgbImage dropped = ImageDecoder.decode(resource(name), name, ImageLimits.DEFAULTS,
                    RgbConversion.DROP_ALPHA, true).image();
            assertArrayEquals(rgb, dropped.toBytes(), name + " convert(\"RGB\")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tiffFiles")
    void tiffDecodesExactlyAsPillow(String name) {
        DecodedImage decoded = decode(name, true);
        assertEquals("twelvemonkeys-tiff", decoded.decoder());
        ImageProcessorFixtureTest.assertSamePixels(pillow(name, decoded.image()), decoded.image(), name);
    }

    /**
     * The JDK's reader (IJG libjpeg 6b inside) matches on this corpus except where libjpeg-turbo has gained since:
     * arithmetic coding (refused) and 4:4:0 chroma, which 6b copies row by row where libjpeg-turbo interpolates.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegFiles")
    void jdkJpegFallbackAsDocumented(String name) {
        if (name.contains("arithmetic")) {
            ImageLoadException e = assertThrows(ImageLoadException.class, () -> decode(name, false));
            assertTrue(e.getMessage().contains("arithmetic coding"), e.getMessage());
            return;
        }
        DecodedImage decoded = decode(name, false);
        assertEquals("java-imageio", decoded.decoder());
        if (name.equals("jpeg_440.jpg")) {
            Difference d = Difference.of(pillow(name, decoded.image()), decoded.image());
            assertTrue(d.max() > 0 && d.mean() < 3, name + ": " + d); // measured max 23, mean 1.7
        } else {
            ImageProcessorFixtureTest.assertSamePixels(pillow(name, decoded.image()), decoded.image(), name);
        }
    }

    /**
     * TwelveMonkeys' pure-Java WebP reader: lossless files exact; lossy ones replicate chroma where libwebp
     * interpolates (a few levels off on average), and files made with cwebp's fastest method (-m 0, which Pillow uses
     * for animations) come out with the wrong brightness.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("webpFiles")
    void twelveMonkeysWebpFallbackAsDocumented(String name) {
        DecodedImage decoded = decode(name, false);
        assertEquals("twelvemonkeys-webp", decoded.decoder());
        Difference d = Difference.of(pillow(name, decoded.image()), decoded.image());
        if (name.contains("lossless")) {
            assertEquals(0, d.max(), name + ": " + d);
        } else if (name.equals("webp_lossy_m0.webp") || name.equals("webp_animated.webp")) {
            assertTrue(d.mean() > 20, name + ": " + d); // measured mean 49, max 158
        } else {
            assertTrue(d.max() > 0 && d.mean() < 5, name + ": " + d); // measured means 1.4 to 4.0
        }
    }

    @Test
    void corpusCoversEveryCase() {
        assertEquals(List.of("jpeg_411.jpg", "jpeg_420_odd.jpg", "jpeg_422.jpg", "jpeg_440.jpg", "jpeg_444.jpg",
                "jpeg_arithmetic.jpg", "jpeg_arithmetic_progressive.jpg", "jpeg_cmyk.jpg", "jpeg_gray.jpg",
                "jpeg_progressive.jpg", "jpeg_rgb_adobe.jpg"), jpegFiles().toList());
        assertEquals(7, webpFiles().count());
        assertEquals(7, tiffFiles().count());
    }

    record Difference(int max, double mean) {
        static Difference of(RgbImage expected, RgbImage actual) {
            assertEquals(expected.width(), actual.width(), "width");
            assertEquals(expected.height(), actual.height(), "height");
            byte[] e = expected.toBytes();
            byte[] a = actual.toBytes();
            long sum = 0;
            int max = 0;
            for (int i = 0; i < e.length; i++) {
                int d = Math.abs((e[i] & 0xFF) - (a[i] & 0xFF));
                sum += d;
                max = Math.max(max, d);
            }
            return new Difference(max, (double) sum / e.length);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "max difference %d, mean %.3f", max, mean);
        }
    }
}
