package dev.idefics4j.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The encoded formats the loader reads, recognised by their leading bytes (never by file name or Content-Type). */
public enum ImageFormat {
    JPEG("JPEG", "jpeg"),
    PNG("PNG", "png"),
    GIF("GIF", "gif"),
    BMP("BMP", "bmp"),
    WEBP("WebP", "webp"),
    TIFF("TIFF", "tiff");

    final String displayName;
    /** The format name ImageIO's reader registry knows it by. */
    final String imageIoName;

    ImageFormat(String displayName, String imageIoName) {
        this.displayName = displayName;
        this.imageIoName = imageIoName;
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private static final byte[] TIFF_LITTLE_ENDIAN = {'I', 'I', 42, 0};
    private static final byte[] TIFF_BIG_ENDIAN = {'M', 'M', 0, 42};
    private static final byte[] BIGTIFF_LITTLE_ENDIAN = {'I', 'I', 43, 0};
    private static final byte[] BIGTIFF_BIG_ENDIAN = {'M', 'M', 0, 43};

    /** The format of {@code bytes}, or null when it is none of them. */
    static ImageFormat sniff(byte[] bytes) {
        if (startsWith(bytes, 0, new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) {
            return JPEG;
        }
        if (startsWith(bytes, 0, PNG_SIGNATURE)) {
            return PNG;
        }
        if (startsWith(bytes, 0, ascii("GIF87a")) || startsWith(bytes, 0, ascii("GIF89a"))) {
            return GIF;
        }
        if (startsWith(bytes, 0, ascii("BM")) && bytes.length >= 26) {
            return BMP;
        }
        if (startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) {
            return WEBP;
        }
        if (startsWith(bytes, 0, TIFF_LITTLE_ENDIAN) || startsWith(bytes, 0, TIFF_BIG_ENDIAN)
                || startsWith(bytes, 0, BIGTIFF_LITTLE_ENDIAN) || startsWith(bytes, 0, BIGTIFF_BIG_ENDIAN)) {
            return TIFF;
        }
        return null;
    }

    /** PNG colour type from the IHDR chunk (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA), or -1. */
    static int pngColorType(byte[] bytes) {
        return bytes.length > 25 ? bytes[25] & 0xFF : -1;
    }

    /** PNG bit depth from the IHDR chunk, or -1. */
    static int pngBitDepth(byte[] bytes) {
        return bytes.length > 24 ? bytes[24] & 0xFF : -1;
    }

    /**
     * Whether a JPEG's first frame is progressive (SOF2, 6, 10, 14): libjpeg then keeps every DCT coefficient of the
     * image until the last scan. False when the markers cannot be walked to a frame header.
     */
    static boolean jpegProgressive(byte[] bytes) {
        int pos = 2; // after SOI
        while (pos + 4 <= bytes.length && (bytes[pos] & 0xFF) == 0xFF) {
            int marker = bytes[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++;
                continue;
            }
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                return marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD9) {
                pos += 2;
                continue;
            }
            pos += 2 + ((bytes[pos + 2] & 0xFF) << 8 | bytes[pos + 3] & 0xFF);
        }
        return false;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        return bytes.length >= offset + prefix.length
                && Arrays.equals(bytes, offset, offset + prefix.length, prefix, 0, prefix.length);
    }

    static String supportedList() {
        return "JPEG, PNG, GIF, BMP, WebP or TIFF";
    }
}
