package dev.idefics4j.image;

import dev.idefics4j.testing.SolidPng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.idefics4j.image.DecoderCorpusTest.assumeLoaded;
import static dev.idefics4j.image.DecoderCorpusTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decodes are admitted against a {@link DecodeMemory} from the header: what they reserve covers what they allocate,
 * a refusal reaches the caller unchanged before the pixels exist, and the reservation is given back (but for the RGB
 * image's bytes) however the decode ends. An 8-bit RGB raster becomes the RGB image without a copy.
 */
class DecodeMemoryTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** What a decode asked for and gave back. */
    private static final class Recorder implements DecodeMemory {
        final List<long[]> reserved = new ArrayList<>();
        final List<Long> kept = new ArrayList<>();

        @Override
        public Reservation reserve(String where, int width, int height, long peakBytes) {
            reserved.add(new long[]{width, height, peakBytes});
            return kept::add;
        }
    }

    /** A refusal of the kind a server throws: its own subclass, which must arrive as it is. */
    private static final class Refused extends ImageLoadException {
        Refused() {
            super("over budget");
        }
    }

    @BeforeAll
    static void warmUp() throws IOException {
        // ImageIO's registry and the PNG reader's classes are loaded once; their allocations are not the decode's.
        decode(png(noise(64, 48, BufferedImage.TYPE_3BYTE_BGR)), new Recorder());
        decode(png(noise(64, 48, BufferedImage.TYPE_INT_ARGB)), new Recorder());
    }

    private static RgbImage decode(byte[] bytes, DecodeMemory memory) {
        return ImageDecoder.decode(bytes, "test.png", ImageLimits.DEFAULTS, RgbConversion.OVER_WHITE, memory)
                .image();
    }

    private static BufferedImage noise(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        Random random = new Random(21);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        return image;
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "png", out));
        return out.toByteArray();
    }

    /** Bytes this thread allocated on the heap while {@code action} ran. */
    private static long allocated(Runnable action) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        action.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void anRgbPngReservesItsSamplesOnceAndKeepsThemAsTheRgbImage() throws IOException {
        int w = 640;
        int h = 480;
        byte[] png = png(noise(w, h, BufferedImage.TYPE_3BYTE_BGR)); // written as 8-bit RGB, colour type 2
        assertEquals(2, ImageFormat.pngColorType(png));
        Recorder memory = new Recorder();
        RgbImage[] image = new RgbImage[1];
        image[0] = decode(png, memory);
        assertEquals(1, memory.reserved.size());
        long[] r = memory.reserved.getFirst();
        assertEquals(w, r[0]);
        assertEquals(h, r[1]);
        // The decoded raster is the RGB image: 3 bytes a pixel, not 3 for the raster and 3 more for a copy.
        assertEquals(3L * w * h + 2L * png.length, r[2]);
        assertEquals(List.of(3L * w * h), memory.kept);
        BufferedImage original = ImageIO.read(new java.io.ByteArrayInputStream(png));
        for (int y = 0; y < h; y += 7) {
            for (int x = 0; x < w; x += 5) {
                int rgb = original.getRGB(x, y);
                assertEquals(rgb >> 16 & 0xFF, image[0].sample(x, y, 0));
                assertEquals(rgb >> 8 & 0xFF, image[0].sample(x, y, 1));
                assertEquals(rgb & 0xFF, image[0].sample(x, y, 2));
            }
        }
    }

    @Test
    void anRgbaPngReservesItsRasterAndTheRgbImage() throws IOException {
        int w = 500;
        int h = 300;
        byte[] png = png(noise(w, h, BufferedImage.TYPE_INT_ARGB)); // 8-bit RGBA, colour type 6
        assertEquals(6, ImageFormat.pngColorType(png));
        Recorder memory = new Recorder();
        decode(png, memory);
        assertEquals((4L + 3) * w * h + 2L * png.length, memory.reserved.getFirst()[2]);
    }

    @Test
    void aRefusalArrivesUnchangedBeforeThePixelsExist() {
        byte[] bomb = SolidPng.rgb(8000, 8000, 90);
        Refused refusal = new Refused();
        DecodeMemory none = (where, width, height, peak) -> {
            throw refusal;
        };
        long heap = allocated(() -> assertSame(refusal, assertThrows(Refused.class, () -> decode(bomb, none))));
        assertTrue(heap < 8000L * 8000, "allocated " + heap + " bytes before refusing");
        assertSame(refusal, assertThrows(Refused.class, () -> ImageDecoder.decode(resource("jpeg_420_odd.jpg"),
                "a.jpg", ImageLimits.DEFAULTS, RgbConversion.OVER_WHITE, none)));
        String webp = DecoderCorpusTest.webpFiles().findFirst().orElseThrow();
        assertSame(refusal, assertThrows(Refused.class, () -> ImageDecoder.decode(resource(webp), webp,
                ImageLimits.DEFAULTS, RgbConversion.OVER_WHITE, none)));
    }

    /**
     * For every PNG, GIF, BMP and TIFF fixture (grey, 16-bit, palette, tRNS, offset GIF frames): what the decode
     * reserved covers the raster ImageIO really decodes into, plus the RGB copy where the raster cannot become it.
     */
    @Test
    void imageIoReservationsCoverTheRasterReallyDecoded() throws IOException {
        List<String> names = new ArrayList<>(List.of("bilevel.png", "gray16.png", "gray16_trns.png",
                "gray4_trns.png", "gray_trns.png", "palette4.png", "palette_trns.png", "rgb16.png", "rgb_trns.png",
                "rgba16.png", "gif_grows_screen.gif", "gif_offset.gif", "gif_offset_trns.gif", "palette8.bmp",
                "rgb24.bmp"));
        DecoderCorpusTest.tiffFiles().map(name -> "decoders/" + name).forEach(names::add);
        for (String name : names) {
            byte[] bytes = ImageFormatsTest.resource(name);
            Recorder memory = new Recorder();
            RgbImage image = ImageDecoder.decode(bytes, name, ImageLimits.DEFAULTS, RgbConversion.OVER_WHITE, memory)
                    .image();
            BufferedImage raster = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            java.awt.image.DataBuffer buffer = raster.getRaster().getDataBuffer();
            long rasterBytes = (long) buffer.getSize() * buffer.getNumBanks()
                    * java.awt.image.DataBuffer.getDataTypeSize(buffer.getDataType()) / 8;
            long pixels = (long) image.width() * image.height();
            boolean reused = PillowRgbConversion.reusesSamples(raster.getColorModel(), raster.getSampleModel());
            long needed = rasterBytes + (reused ? 0 : 3 * pixels) + 2L * bytes.length;
            long reserved = memory.reserved.getFirst()[2];
            assertTrue(reserved >= needed, name + ": reserved " + reserved + " bytes, the decode holds " + needed);
            assertTrue(reserved <= 2 * needed + 64, name + ": reserved " + reserved + ", far above " + needed);
            assertEquals(List.of(3 * pixels), memory.kept, name);
        }
    }

    @Test
    void nativeDecodesReserveTheirNativeBuffersToo() {
        assumeLoaded("libjpeg-turbo", LibjpegDecoder.available(), LibjpegDecoder.unavailableReason());
        byte[] jpeg = resource("jpeg_420_odd.jpg");
        Recorder memory = new Recorder();
        RgbImage image = ImageDecoder.decode(jpeg, "a.jpg", ImageLimits.DEFAULTS, RgbConversion.OVER_WHITE, memory)
                .image();
        long pixels = (long) image.width() * image.height();
        long peak = memory.reserved.getFirst()[2];
        assertTrue(peak >= 6 * pixels + 2L * jpeg.length, "libjpeg's rows and their RGB copy: " + peak);
        assertEquals(List.of(3 * pixels), memory.kept);
    }

    @Test
    void aFailedDecodeGivesAllItsBytesBack() {
        assumeLoaded("libjpeg-turbo", LibjpegDecoder.available(), LibjpegDecoder.unavailableReason());
        byte[] jpeg = resource("jpeg_420_odd.jpg");
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length - 2); // without its end marker: admitted, then refused
        Recorder memory = new Recorder();
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageDecoder.decode(cut, "cut.jpg",
                ImageLimits.DEFAULTS, RgbConversion.OVER_WHITE, memory));
        assertEquals(1, memory.reserved.size(), e.getMessage());
        assertEquals(List.of(0L), memory.kept);
    }

    @Test
    void anOwnedBgrRasterIsReorderedInPlaceToThePixelsACopyWouldHave() {
        BufferedImage bgr = noise(37, 23, BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage copy = new BufferedImage(bgr.getColorModel(), bgr.copyData(null), false, null);
        RgbImage copied = PillowRgbConversion.toRgb(copy, PillowRgbConversion.Quirk.NONE, RgbConversion.OVER_WHITE);
        RgbImage reused = PillowRgbConversion.toRgb(bgr, PillowRgbConversion.Quirk.NONE, RgbConversion.OVER_WHITE,
                true);
        assertEquals(copied, reused);
        assertSame(((java.awt.image.DataBufferByte) bgr.getRaster().getDataBuffer()).getData(), reused.data());
    }
}
