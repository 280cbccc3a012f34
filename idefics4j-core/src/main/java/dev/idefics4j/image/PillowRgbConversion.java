package dev.idefics4j.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;

/**
 * A decoded image to 8-bit RGB as Pillow 9.4 converts it: an RGB image is used as decoded; any other mode goes through
 * Pillow's {@code convert("RGBA")} and then, by {@link RgbConversion}, is alpha-composited over opaque white with
 * Pillow's integer arithmetic (IDEFICS's {@code convert_to_rgb}) or simply loses its alpha ({@code convert("RGB")}).
 * Samples are read raw from the raster, never through Java2D colour management (which would apply ICC profiles or a
 * linear-grey gamma that Pillow ignores).
 */
final class PillowRgbConversion {
    /** Where Pillow opens a file differently from what the decoded colour model alone says. */
    enum Quirk {
        NONE,
        /** PNG truecolour with a tRNS colour: Pillow keeps mode RGB, so the "transparent" colour stays as it is. */
        IGNORE_ALPHA,
        /**
         * 16-bit grey PNG (also with tRNS) or TIFF: Pillow opens it as mode I (I;16), whose RGBA conversion clips to
         * 0..255.
         */
        CLIP_16BIT_GRAY
    }

    private PillowRgbConversion() {
    }

    /**
     * A natively decoded image: RGB as it is, L replicated, RGBA composited over white or (Pillow's
     * {@code convert("RGB")}) without its alpha.
     */
    static RgbImage toRgb(DecodedPixels pixels, RgbConversion conversion) {
        byte[] in = pixels.samples();
        if (pixels.channels() == 3) {
            return new RgbImage(pixels.width(), pixels.height(), in);
        }
        byte[] out = new byte[pixels.width() * pixels.height() * 3];
        if (pixels.channels() == 1) {
            for (int i = 0, o = 0; i < in.length; i++) {
                out[o++] = in[i];
                out[o++] = in[i];
                out[o++] = in[i];
            }
        } else {
            boolean composite = conversion == RgbConversion.OVER_WHITE;
            for (int i = 0, o = 0; i < in.length; i += 4) {
                int a = composite ? in[i + 3] & 0xFF : 255;
                out[o++] = (byte) overWhite(in[i] & 0xFF, a);
                out[o++] = (byte) overWhite(in[i + 1] & 0xFF, a);
                out[o++] = (byte) overWhite(in[i + 2] & 0xFF, a);
            }
        }
        return new RgbImage(pixels.width(), pixels.height(), out);
    }

    static RgbImage toRgb(BufferedImage image, Quirk quirk, RgbConversion conversion) {
        return toRgb(image, quirk, conversion, false);
    }

    /**
     * As above; {@code owned}: nothing else holds {@code image}, so an 8-bit RGB raster's samples become the RGB
     * image's in place (a BGR one reordered in place) instead of being copied: one full-size array less at the peak.
     */
    static RgbImage toRgb(BufferedImage image, Quirk quirk, RgbConversion conversion, boolean owned) {
        ColorModel cm = image.getColorModel();
        if (owned && reusesSamples(cm, image.getSampleModel())) {
            byte[] whole = wholeRaster(image.getRaster());
            if (whole != null) {
                return inPlace(image.getWidth(), image.getHeight(), whole,
                        ((ComponentSampleModel) image.getSampleModel()).getBandOffsets()[0] == 2);
            }
        }
        // Without compositing, alpha is simply not read: Pillow's convert("RGB") copies the colour channels.
        boolean composite = conversion == RgbConversion.OVER_WHITE && quirk != Quirk.IGNORE_ALPHA;
        if (cm instanceof IndexColorModel palette) {
            return fromPalette(image.getRaster(), palette, composite);
        }
        if (hasRawSamples(cm, image.getRaster())) {
            return fromSamples(image.getRaster(), cm, quirk, composite);
        }
        return fromArgb(image, composite);
    }

    /**
     * Whether samples laid out as {@code samples} in colour model {@code cm} are already an RGB image's bytes but for
     * the order of R and B: 8-bit RGB without alpha, interleaved R, G, B or B, G, R in one bank, nothing between
     * pixels. (The raster's own array must still hold exactly its pixels: {@link #wholeRaster}.)
     */
    static boolean reusesSamples(ColorModel cm, SampleModel samples) {
        if (!(cm instanceof ComponentColorModel) || cm.hasAlpha() || cm.getNumComponents() != 3
                || cm.getColorSpace().getType() != ColorSpace.TYPE_RGB
                || !(samples instanceof PixelInterleavedSampleModel interleaved)
                || samples.getDataType() != DataBuffer.TYPE_BYTE || interleaved.getPixelStride() != 3
                || samples.getNumBands() != 3) {
            return false;
        }
        for (int size : cm.getComponentSize()) {
            if (size != 8) {
                return false;
            }
        }
        int[] banks = interleaved.getBankIndices();
        int[] offsets = interleaved.getBandOffsets();
        boolean oneBank = banks[0] == 0 && banks[1] == 0 && banks[2] == 0;
        boolean rgb = offsets[0] == 0 && offsets[1] == 1 && offsets[2] == 2;
        boolean bgr = offsets[0] == 2 && offsets[1] == 1 && offsets[2] == 0;
        return oneBank && (rgb || bgr);
    }

    /** The raster's array when it holds exactly its pixels, row after row from its first byte; else null. */
    private static byte[] wholeRaster(WritableRaster raster) {
        if (raster.getParent() != null || raster.getMinX() != 0 || raster.getMinY() != 0
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1
                || buffer.getOffset() != 0
                || ((ComponentSampleModel) raster.getSampleModel()).getScanlineStride() != raster.getWidth() * 3) {
            return null;
        }
        byte[] data = buffer.getData();
        return data.length == (long) raster.getWidth() * raster.getHeight() * 3 ? data : null;
    }

    /** {@code samples} as the RGB image's bytes: B, G, R swapped to R, G, B in place when {@code bgr}. */
    private static RgbImage inPlace(int width, int height, byte[] samples, boolean bgr) {
        if (bgr) {
            for (int i = 0; i < samples.length; i += 3) {
                byte b = samples[i];
                samples[i] = samples[i + 2];
                samples[i + 2] = b;
            }
        }
        return new RgbImage(width, height, samples);
    }

    /** Colour models whose raster samples are plain grey, RGB or CMYK values (optionally with straight alpha). */
    private static boolean hasRawSamples(ColorModel cm, Raster raster) {
        if (!(cm instanceof ComponentColorModel || cm instanceof DirectColorModel) || cm.isAlphaPremultiplied()) {
            return false;
        }
        int transfer = raster.getTransferType();
        if (transfer == DataBuffer.TYPE_FLOAT || transfer == DataBuffer.TYPE_DOUBLE
                || raster.getNumBands() != cm.getNumComponents()) {
            return false;
        }
        for (int size : cm.getComponentSize()) {
            if (size < 1 || size > 16) {
                return false;
            }
        }
        int colours = cm.getNumColorComponents();
        return switch (cm.getColorSpace().getType()) {
            case ColorSpace.TYPE_GRAY -> colours == 1;
            case ColorSpace.TYPE_RGB -> colours == 3;
            case ColorSpace.TYPE_CMYK -> colours == 4;
            default -> false;
        };
    }

    private static RgbImage fromPalette(Raster raster, IndexColorModel palette, boolean compositeAlpha) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        boolean composite = palette.hasAlpha() && compositeAlpha;
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int i = row[x];
                int a = composite ? palette.getAlpha(i) : 255;
                out[o++] = (byte) overWhite(palette.getRed(i), a);
                out[o++] = (byte) overWhite(palette.getGreen(i), a);
                out[o++] = (byte) overWhite(palette.getBlue(i), a);
            }
        }
        return new RgbImage(w, h, out);
    }

    private static RgbImage fromSamples(Raster raster, ColorModel cm, Quirk quirk, boolean compositeAlpha) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        int colours = cm.getNumColorComponents();
        boolean alpha = cm.hasAlpha() && compositeAlpha;
        boolean cmyk = colours == 4;
        // The JDK adds an alpha band for a tRNS grey value; clipping the grey alone still gives Pillow's pixels.
        boolean clipGray = quirk == Quirk.CLIP_16BIT_GRAY && colours == 1;
        int[] sizes = cm.getComponentSize();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * bands];
        int[] v = new int[bands];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < bands; b++) {
                    int sample = row[x * bands + b];
                    v[b] = clipGray && b == 0 ? Math.min(sample, 255) : to8Bit(sample, sizes[b]);
                }
                int r;
                int g;
                int bl;
                if (colours == 1) {
                    r = g = bl = v[0];
                } else if (cmyk) {
                    r = cmykToRgb(v[0], v[3]);
                    g = cmykToRgb(v[1], v[3]);
                    bl = cmykToRgb(v[2], v[3]);
                } else {
                    r = v[0];
                    g = v[1];
                    bl = v[2];
                }
                int a = alpha ? v[colours] : 255;
                out[o++] = (byte) overWhite(r, a);
                out[o++] = (byte) overWhite(g, a);
                out[o++] = (byte) overWhite(bl, a);
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Anything else (premultiplied alpha, exotic colour spaces): Java2D's sRGB conversion is the best there is. */
    private static RgbImage fromArgb(BufferedImage image, boolean compositeAlpha) {
        int w = image.getWidth();
        int h = image.getHeight();
        boolean alpha = image.getColorModel().hasAlpha() && compositeAlpha;
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int argb : row) {
                int a = alpha ? argb >>> 24 : 255;
                out[o++] = (byte) overWhite((argb >> 16) & 0xFF, a);
                out[o++] = (byte) overWhite((argb >> 8) & 0xFF, a);
                out[o++] = (byte) overWhite(argb & 0xFF, a);
            }
        }
        return new RgbImage(w, h, out);
    }

    /** 16-bit samples keep their high byte (Pillow's ";16B" unpackers); narrower ones scale as Pillow's do. */
    private static int to8Bit(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits == 16) {
            return sample >>> 8;
        }
        return sample * 255 / ((1 << bits) - 1);
    }

    /** Pillow's cmyk2rgb: {@code 255 - k} scaled by {@code 1 - c}, with its rounding division by 255. */
    static int cmykToRgb(int c, int k) {
        int nk = 255 - k;
        int t = c * nk + 128;
        int cnk = ((t >> 8) + t) >> 8;
        return Math.clamp(nk - cnk, 0, 255);
    }

    /**
     * One channel of Pillow's ImagingAlphaComposite(background, image) with an opaque white background: 7 extra bits
     * of precision and its shift-based division by 255. Exact for every (colour, alpha); alpha 255 gives the colour.
     */
    static int overWhite(int colour, int alpha) {
        if (alpha == 0) {
            return 255;
        }
        final int precisionBits = 7;
        final long dstAlpha = 255;
        long blend = dstAlpha * (255 - alpha);
        long outAlpha255 = alpha * 255L + blend;
        long coef1 = alpha * 255L * 255 * (1 << precisionBits) / outAlpha255;
        long coef2 = 255L * (1 << precisionBits) - coef1;
        long tmp = colour * coef1 + 255 * coef2 + (0x80L << precisionBits);
        return (int) ((((tmp >> 8) + tmp) >> 8) >> precisionBits);
    }
}
