package dev.idefics4j.image;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;

import static dev.idefics4j.image.DecoderCorpusTest.assumeLoaded;
import static dev.idefics4j.image.DecoderCorpusTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken and hostile files through libjpeg-turbo and libwebp: always a clear {@link ImageLoadException} naming the
 * source (or, for damage the libraries decode through as Pillow does, an image), never a crash, a hang or an
 * allocation the header did not justify.
 */
class NativeDecoderSafetyTest {
    private static DecodedImage decode(byte[] bytes, String name, ImageLimits limits) {
        return ImageDecoder.decode(bytes, name, limits, RgbConversion.OVER_WHITE, true);
    }

    private static void refused(Supplier<?> action, String name, String problem) {
        ImageLoadException e = assertThrows(ImageLoadException.class, action::get, name);
        assertTrue(e.getMessage().startsWith(name + ": "), "message should name the source: " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message should say '" + problem + "': " + e.getMessage());
    }

    @Test
    void truncatedJpegIsRefusedAsPillowRefusesIt() {
        assumeLoaded("libjpeg-turbo", LibjpegDecoder.available(), LibjpegDecoder.unavailableReason());
        for (String name : DecoderCorpusTest.jpegFiles().toList()) {
            byte[] jpeg = resource(name);
            for (int part = 1; part < 8; part++) {
                byte[] cut = Arrays.copyOf(jpeg, jpeg.length * part / 8);
                refused(() -> decode(cut, name, ImageLimits.DEFAULTS), name, "JPEG data");
            }
        }
        // Without its end marker the last row cannot be finished: Pillow 9.4 says "image file is truncated" too.
        byte[] noEnd = resource("jpeg_420_odd.jpg");
        refused(() -> decode(Arrays.copyOf(noEnd, noEnd.length - 2), "no-eoi.jpg", ImageLimits.DEFAULTS),
                "no-eoi.jpg", "truncated or corrupt JPEG data (image file is truncated");
    }

    @Test
    void truncatedWebpIsRefused() {
        assumeLoaded("libwebp", LibwebpDecoder.available(), LibwebpDecoder.unavailableReason());
        for (String name : DecoderCorpusTest.webpFiles().toList()) {
            byte[] webp = resource(name);
            for (int part = 1; part < 8; part++) {
                byte[] cut = Arrays.copyOf(webp, Math.max(12, webp.length * part / 8));
                refused(() -> decode(cut, name, ImageLimits.DEFAULTS), name, "WebP data");
            }
        }
    }

    /** Random bytes behind a valid signature, and corpus files with random bytes overwritten. */
    @Test
    void garbageGivesAnImageOrAClearError() {
        assumeLoaded("libjpeg-turbo", LibjpegDecoder.available(), LibjpegDecoder.unavailableReason());
        assumeLoaded("libwebp", LibwebpDecoder.available(), LibwebpDecoder.unavailableReason());
        Random random = new Random(21);
        for (int i = 0; i < 300; i++) {
            byte[] tail = new byte[random.nextInt(4000)];
            random.nextBytes(tail);
            survives(concat(new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, tail), "garbage.jpg");
            String chunk = new String[]{"VP8 ", "VP8L", "VP8X", "ALPH", "ANIM"}[i % 5];
            survives(concat(riffHeader(tail.length + 8), ascii(chunk), littleEndian(tail.length), tail),
                    "garbage.webp");
        }
        for (String name : DecoderCorpusTest.FILES) {
            if (name.endsWith(".tif")) {
                continue;
            }
            byte[] original = resource(name);
            for (int i = 0; i < 40; i++) {
                byte[] damaged = original.clone();
                for (int j = 0; j <= random.nextInt(4); j++) {
                    damaged[2 + random.nextInt(damaged.length - 2)] = (byte) random.nextInt(256);
                }
                survives(damaged, name);
            }
        }
    }

    private static void survives(byte[] bytes, String name) {
        try {
            DecodedImage decoded = decode(bytes, name, ImageLimits.DEFAULTS);
            assertTrue(decoded.decoder().startsWith("lib"), decoded.decoder());
        } catch (ImageLoadException e) {
            assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
        }
    }

    @Test
    void jpegSizeIsCheckedBeforeDecoding() {
        assumeLoaded("libjpeg-turbo", LibjpegDecoder.available(), LibjpegDecoder.unavailableReason());
        byte[] jpeg = resource("jpeg_444.jpg");
        int sof = indexOf(jpeg, new byte[]{(byte) 0xFF, (byte) 0xC0});
        byte[] huge = jpeg.clone();
        huge[sof + 5] = (byte) 0xEA; // height 60000
        huge[sof + 6] = (byte) 0x60;
        huge[sof + 7] = (byte) 0xEA; // width 60000
        huge[sof + 8] = (byte) 0x60;
        refused(() -> decode(huge, "huge.jpg", ImageLimits.DEFAULTS), "huge.jpg",
                "image is 60000x60000 = 3600000000 pixels, more than the limit of 89478485 (possible decompression "
                        + "bomb; not decoded)");
        refused(() -> decode(jpeg, "small.jpg", ImageLimits.DEFAULTS.withMaxPixels(100)), "small.jpg",
                "more than the limit of 100");
    }

    @Test
    void webpCanvasSizeIsCheckedBeforeDecoding() {
        assumeLoaded("libwebp", LibwebpDecoder.available(), LibwebpDecoder.unavailableReason());
        byte[] webp = resource("webp_lossy_q70.webp");
        // An animation header for a 16384 x 16384 canvas (the largest WebP allows), and no frames at all.
        byte[] vp8x = concat(ascii("VP8X"), littleEndian(10), new byte[]{2, 0, 0, 0},
                new byte[]{(byte) 0xFF, 0x3F, 0}, new byte[]{(byte) 0xFF, 0x3F, 0});
        byte[] anim = concat(ascii("ANIM"), littleEndian(6), new byte[6]);
        byte[] extended = concat(riffHeader(4 + vp8x.length + anim.length), vp8x, anim);
        refused(() -> decode(extended, "canvas.webp", ImageLimits.DEFAULTS), "canvas.webp",
                "image is 16384x16384 = 268435456 pixels, more than the limit");
        refused(() -> decode(webp, "small.webp", ImageLimits.DEFAULTS.withMaxPixels(100)), "small.webp",
                "more than the limit of 100");
    }

    /** Each scan walks the whole image: a small file of very many scans is refused rather than decoded for minutes. */
    @Test
    void progressiveScanBombIsRefused() {
        assumeLoaded("libjpeg-turbo", LibjpegDecoder.available(), LibjpegDecoder.unavailableReason());
        byte[] jpeg = resource("jpeg_progressive.jpg");
        int firstScan = indexOf(jpeg, new byte[]{(byte) 0xFF, (byte) 0xDA});
        int secondScan = indexOf(Arrays.copyOfRange(jpeg, firstScan + 2, jpeg.length),
                new byte[]{(byte) 0xFF, (byte) 0xDA}) + firstScan + 2;
        byte[] dcScan = Arrays.copyOfRange(jpeg, firstScan, secondScan);
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.write(jpeg, 0, secondScan);
        for (int i = 0; i < 1100; i++) {
            bomb.write(dcScan, 0, dcScan.length);
        }
        bomb.write(jpeg, secondScan, jpeg.length - secondScan);
        refused(() -> decode(bomb.toByteArray(), "scans.jpg", ImageLimits.DEFAULTS), "scans.jpg",
                "more than 1000 scans (refused as a possible decoding bomb)");
    }

    @Test
    void unsupportedJpegIsNamedAsSuch() {
        assumeLoaded("libjpeg-turbo", LibjpegDecoder.available(), LibjpegDecoder.unavailableReason());
        byte[] jpeg = resource("jpeg_444.jpg");
        byte[] lossless = jpeg.clone();
        lossless[indexOf(jpeg, new byte[]{(byte) 0xFF, (byte) 0xC0}) + 1] = (byte) 0xC3;
        refused(() -> decode(lossless, "lossless.jpg", ImageLimits.DEFAULTS), "lossless.jpg",
                "corrupt or unsupported JPEG data (libjpeg-turbo: Unsupported JPEG process: SOF type 0xc3)");
        byte[] twelveBit = jpeg.clone();
        twelveBit[indexOf(jpeg, new byte[]{(byte) 0xFF, (byte) 0xC0}) + 4] = 12;
        refused(() -> decode(twelveBit, "12bit.jpg", ImageLimits.DEFAULTS), "12bit.jpg",
                "Unsupported JPEG data precision 12");
    }

    @Test
    void decodersCanRunInParallel() throws Exception {
        assumeLoaded("libjpeg-turbo", LibjpegDecoder.available(), LibjpegDecoder.unavailableReason());
        assumeLoaded("libwebp", LibwebpDecoder.available(), LibwebpDecoder.unavailableReason());
        var files = DecoderCorpusTest.FILES;
        var expected = files.stream().map(n -> decode(resource(n), n, ImageLimits.DEFAULTS).image()).toList();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int round = 0; round < 8; round++) {
                for (int i = 0; i < files.size(); i++) {
                    int k = i;
                    futures.add(pool.submit(() -> decode(resource(files.get(k)), files.get(k),
                            ImageLimits.DEFAULTS).image().equals(expected.get(k))));
                }
            }
            for (var f : futures) {
                assertEquals(true, f.get());
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("marker not found");
    }

    private static byte[] riffHeader(int size) {
        return concat(ascii("RIFF"), littleEndian(size), ascii("WEBP"));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] littleEndian(int v) {
        return new byte[]{(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }
}
