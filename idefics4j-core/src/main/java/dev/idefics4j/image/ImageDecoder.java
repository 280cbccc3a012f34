package dev.idefics4j.image;

import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Encoded bytes to {@link RgbImage}: recognises the format, checks the pixel count from the header before decoding,
 * decodes the first image (GIF: the first frame) and converts it to RGB as Pillow would ({@link RgbConversion}). JPEG
 * and WebP go through the libraries Pillow uses ({@link LibjpegDecoder}, {@link LibwebpDecoder}) where they are on the
 * machine, and otherwise, like the other formats, through ImageIO's pure-Java readers.
 * {@code -Didefics4j.native.images=false} keeps the pure-Java readers everywhere.
 */
final class ImageDecoder {
    static final String IMAGE_IO = "java-imageio";
    static final String TWELVEMONKEYS_WEBP = "twelvemonkeys-webp";
    static final String TWELVEMONKEYS_TIFF = "twelvemonkeys-tiff";
    private static final boolean NATIVE = !"false".equals(System.getProperty("idefics4j.native.images"));

    private ImageDecoder() {
    }

    static DecodedImage decode(byte[] bytes, String where, ImageLimits limits, RgbConversion conversion,
                               DecodeMemory memory) {
        return decode(bytes, where, limits, conversion, NATIVE, memory);
    }

    /** As above without a memory budget; {@code nativeDecoders} false keeps the pure-Java readers (tests compare). */
    static DecodedImage decode(byte[] bytes, String where, ImageLimits limits, RgbConversion conversion,
                               boolean nativeDecoders) {
        return decode(bytes, where, limits, conversion, nativeDecoders, DecodeMemory.UNLIMITED);
    }

    private static DecodedImage decode(byte[] bytes, String where, ImageLimits limits, RgbConversion conversion,
                                       boolean nativeDecoders, DecodeMemory memory) {
        if (bytes.length == 0) {
            throw ImageLoadException.of(where, "empty file, not an image");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            throw ImageLoadException.of(where, "not an image in a supported format (" + ImageFormat.supportedList()
                    + "); it starts with " + preview(bytes));
        }
        DecodeAdmission admission = new DecodeAdmission(where, format, limits, memory, bytes.length);
        boolean decoded = false;
        try {
            DecodedImage image = decode(bytes, format, where, admission, conversion, nativeDecoders);
            decoded = true;
            return image;
        } finally {
            admission.end(decoded);
        }
    }

    private static DecodedImage decode(byte[] bytes, ImageFormat format, String where, DecodeAdmission admission,
                                       RgbConversion conversion, boolean nativeDecoders) {
        if (nativeDecoders && format == ImageFormat.JPEG && LibjpegDecoder.available()) {
            return new DecodedImage(PillowRgbConversion.toRgb(LibjpegDecoder.decode(bytes, where, admission),
                    conversion), LibjpegDecoder.name());
        }
        if (nativeDecoders && format == ImageFormat.WEBP && LibwebpDecoder.available()) {
            return new DecodedImage(PillowRgbConversion.toRgb(LibwebpDecoder.decode(bytes, where, admission),
                    conversion), LibwebpDecoder.NAME);
        }
        return new DecodedImage(decodeWithImageIo(format, bytes, where, admission, conversion),
                format == ImageFormat.WEBP ? TWELVEMONKEYS_WEBP : format == ImageFormat.TIFF ? TWELVEMONKEYS_TIFF
                        : IMAGE_IO);
    }

    private static RgbImage decodeWithImageIo(ImageFormat format, byte[] bytes, String where,
                                              DecodeAdmission admission, RgbConversion conversion) {
        if (format == ImageFormat.TIFF) {
            TiffHeader.check(bytes, where);
        }
        boolean progressive = format == ImageFormat.JPEG && ImageFormat.jpegProgressive(bytes);
        bytes = IccProfileStripper.strip(format, bytes);
        ImageReader reader = readerFor(format, where);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, false);
            long width = reader.getWidth(0);
            long height = reader.getHeight(0);
            checkSize(width, height, where, format, admission.limits()); // the pixel cap before anything else
            GifCanvas canvas = null;
            if (format == ImageFormat.GIF) {
                canvas = GifCanvas.of(reader);
                width = canvas.width();
                height = canvas.height();
            }
            admission.admit(width, height, imageIoBytesPerPixel(reader, format, canvas != null, progressive));
            BufferedImage image = reader.read(0);
            if (canvas != null) {
                image = canvas.place(image);
            }
            for (String warning : warnings) {
                if (isTruncation(warning)) {
                    throw ImageLoadException.of(where, "truncated or corrupt " + format.displayName + " data ("
                            + warning + ")");
                }
            }
            // The image is ours alone: its samples may become the RGB image's.
            return PillowRgbConversion.toRgb(image, quirk(format, bytes, image), conversion, true);
        } catch (ImageLoadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            rethrowOutOfMemory(e);
            // Decoders report damaged data with all sorts of exceptions (EOF, IIOException, index errors).
            throw ImageLoadException.of(where, "truncated or corrupt " + format.displayName + " data ("
                    + messageOf(e) + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * What an ImageIO decode holds per pixel at its peak: the raster it decodes into (the reader's first image type,
     * the one {@code read} uses), a GIF's canvas of the same type, and the RGB image unless that reuses the raster's
     * samples; a progressive JPEG's coefficients, and TwelveMonkeys' WebP decoder's ARGB buffer.
     */
    private static long imageIoBytesPerPixel(ImageReader reader, ImageFormat format, boolean gifCanvas,
                                             boolean progressive) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        if (!types.hasNext()) {
            throw new IIOException("the reader offers no image type");
        }
        ImageTypeSpecifier type = types.next();
        SampleModel samples = type.getSampleModel(1, 1);
        long raster = rasterBytesPerPixel(samples);
        long rgb = PillowRgbConversion.reusesSamples(type.getColorModel(), samples) ? 0 : 3;
        long extra = switch (format) {
            case JPEG -> progressive ? jpegCoefficientBytes(samples.getNumBands()) : 0;
            case WEBP -> 4;
            default -> 0;
        };
        return raster * (gifCanvas ? 2 : 1) + rgb + extra;
    }

    private static long rasterBytesPerPixel(SampleModel samples) {
        int elements = samples.getNumDataElements();
        if (samples instanceof ComponentSampleModel component) {
            elements = Math.max(elements, component.getPixelStride());
        }
        return Math.max(1, ((long) elements * DataBuffer.getDataTypeSize(samples.getDataType()) + 7) / 8);
    }

    /** A multi-scan JPEG's coefficient buffers: 2 bytes per coefficient per component (at most one per pixel). */
    static long jpegCoefficientBytes(int components) {
        return 2L * components;
    }

    /** The decompression-bomb guard, from the header alone. */
    static void checkSize(long width, long height, String where, ImageFormat format, ImageLimits limits) {
        if (width <= 0 || height <= 0) {
            throw ImageLoadException.of(where, "invalid " + format.displayName + " image size " + width + "x"
                    + height);
        }
        long pixels = width * height;
        if (pixels > limits.maxPixels()) {
            throw ImageLoadException.of(where, "image is " + width + "x" + height + " = " + pixels
                    + " pixels, more than the limit of " + limits.maxPixels()
                    + " (possible decompression bomb; not decoded)");
        }
        if (pixels * 3 > Integer.MAX_VALUE - 8) {
            throw ImageLoadException.of(where, "image is " + width + "x" + height + ", too large to hold in memory");
        }
    }

    /**
     * libjpeg only warns when data runs out and pads the rest with grey; Pillow refuses such a file ("image file is
     * truncated"), and so do we. Other warnings (e.g. stray bytes before a marker) Pillow also lets pass.
     */
    private static boolean isTruncation(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("truncated") || w.contains("premature end");
    }

    private static PillowRgbConversion.Quirk quirk(ImageFormat format, byte[] bytes, BufferedImage image) {
        if (format == ImageFormat.TIFF) {
            // Pillow opens 16-bit grey TIFF as mode I;16, whose RGB(A) conversion clips to 0..255 as mode I's does.
            ColorModel cm = image.getColorModel();
            boolean gray16 = cm.getNumComponents() == 1 && cm.getComponentSize(0) == 16
                    && !(cm instanceof IndexColorModel);
            return gray16 ? PillowRgbConversion.Quirk.CLIP_16BIT_GRAY : PillowRgbConversion.Quirk.NONE;
        }
        if (format != ImageFormat.PNG) {
            return PillowRgbConversion.Quirk.NONE;
        }
        int colorType = ImageFormat.pngColorType(bytes);
        if (colorType == 2) {
            return PillowRgbConversion.Quirk.IGNORE_ALPHA;
        }
        if (colorType == 0 && ImageFormat.pngBitDepth(bytes) == 16) {
            return PillowRgbConversion.Quirk.CLIP_16BIT_GRAY;
        }
        return PillowRgbConversion.Quirk.NONE;
    }

    /**
     * The JDK's own readers hand back the decoded samples without colour management, as libjpeg and libpng do for
     * Pillow; other plug-ins on the class path (e.g. TwelveMonkeys' JPEG reader, which applies ICC profiles and
     * converts CMYK its own way) would change pixels, so they are only a fallback. WebP has no JDK reader.
     */
    private static ImageReader readerFor(ImageFormat format, String where) {
        if (format == ImageFormat.WEBP) {
            return new WebPImageReaderSpi().createReaderInstance(null);
        }
        if (format == ImageFormat.TIFF) {
            return new TIFFImageReaderSpi().createReaderInstance(null);
        }
        ImageReader chosen = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format.imageIoName); it.hasNext(); ) {
            ImageReader candidate = it.next();
            boolean builtIn = candidate.getClass().getModule() == ImageIO.class.getModule();
            if (chosen == null || builtIn) {
                if (chosen != null) {
                    chosen.dispose();
                }
                chosen = candidate;
                if (builtIn) {
                    break;
                }
            } else {
                candidate.dispose();
            }
        }
        if (chosen == null) {
            throw ImageLoadException.of(where, "no " + format.displayName + " decoder available");
        }
        return chosen;
    }

    /**
     * The JDK's PNG reader wraps an OutOfMemoryError in an IIOException; it is the machine's limit, not a damaged
     * image, and callers answer it as such.
     */
    static void rethrowOutOfMemory(Throwable e) {
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            if (c instanceof OutOfMemoryError oom) {
                throw oom;
            }
            if (c == c.getCause()) {
                break;
            }
        }
    }

    private static String messageOf(Throwable e) {
        Throwable cause = e instanceof IIOException && e.getCause() != null ? e.getCause() : e;
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = cause.getClass().getSimpleName();
        } else if (cause != e && cause.getMessage() != null) {
            message += ": " + cause.getMessage();
        }
        return message;
    }

    /** The first bytes as text when they look like text (an HTML error page, JSON), else as hex. */
    private static String preview(byte[] bytes) {
        int n = Math.min(bytes.length, 24);
        boolean text = true;
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xFF;
            text &= b >= 0x20 && b < 0x7F || b == '\n' || b == '\r' || b == '\t';
        }
        StringBuilder s = new StringBuilder();
        if (text) {
            s.append('"');
            for (int i = 0; i < n; i++) {
                char c = (char) bytes[i];
                s.append(Character.isWhitespace(c) ? ' ' : c);
            }
            return s.append(bytes.length > n ? "...\"" : "\"").toString();
        }
        for (int i = 0; i < n; i++) {
            s.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return s.append(bytes.length > n ? "... (hex)" : " (hex)").toString();
    }
}
