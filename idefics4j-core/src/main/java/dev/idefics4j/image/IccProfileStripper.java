package dev.idefics4j.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Removes embedded ICC profiles from JPEG and WebP files before decoding. Pillow decodes both without applying the
 * profile; the JDK's JPEG reader and TwelveMonkeys' WebP reader convert the pixels through it to sRGB, which changes
 * every pixel of, say, an Adobe RGB or Display P3 photo. Without the profile they return the decoder's samples, as
 * libjpeg and libwebp do for Pillow. (The JDK's PNG reader already ignores iCCP and gAMA.)
 */
final class IccProfileStripper {
    private static final byte[] JPEG_ICC_TAG = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WEBP_ICC_CHUNK = "ICCP".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WEBP_EXTENDED_CHUNK = "VP8X".getBytes(StandardCharsets.US_ASCII);
    private static final int WEBP_ICC_FLAG = 0x20;
    private static final int APP2 = 0xE2;
    private static final int SOS = 0xDA;
    private static final int EOI = 0xD9;

    private IccProfileStripper() {
    }

    /** {@code bytes} without ICC profiles; the same array when there are none or the header cannot be walked. */
    static byte[] strip(ImageFormat format, byte[] bytes) {
        return switch (format) {
            case JPEG -> stripJpeg(bytes);
            case WEBP -> stripWebp(bytes);
            default -> bytes;
        };
    }

    /** Drops APP2 "ICC_PROFILE" segments from the header (everything before the first scan). */
    private static byte[] stripJpeg(byte[] jpeg) {
        ByteArrayOutputStream out = null;
        int copiedUpTo = 0;
        int pos = 2; // after SOI
        while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (marker == SOS || marker == EOI) {
                break;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                pos += 2; // markers without a length
                continue;
            }
            int end = pos + 2 + ((jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF));
            if (end > jpeg.length) {
                break; // truncated header: leave it to the decoder to report
            }
            if (marker == APP2 && ImageFormat.startsWith(jpeg, pos + 4, JPEG_ICC_TAG)) {
                if (out == null) {
                    out = new ByteArrayOutputStream(jpeg.length);
                }
                out.write(jpeg, copiedUpTo, pos - copiedUpTo);
                copiedUpTo = end;
            }
            pos = end;
        }
        return finish(out, jpeg, copiedUpTo);
    }

    /** Drops RIFF "ICCP" chunks, clears the VP8X ICC flag and corrects the RIFF size. */
    private static byte[] stripWebp(byte[] webp) {
        ByteArrayOutputStream out = null;
        int copiedUpTo = 0;
        int pos = 12; // after "RIFF", size, "WEBP"
        while (pos + 8 <= webp.length) {
            long size = (webp[pos + 4] & 0xFFL) | (webp[pos + 5] & 0xFFL) << 8 | (webp[pos + 6] & 0xFFL) << 16
                    | (webp[pos + 7] & 0xFFL) << 24;
            long end = pos + 8 + size + (size & 1); // chunks are padded to an even length
            if (end > webp.length) {
                break;
            }
            if (ImageFormat.startsWith(webp, pos, WEBP_ICC_CHUNK)) {
                if (out == null) {
                    out = new ByteArrayOutputStream(webp.length);
                }
                out.write(webp, copiedUpTo, pos - copiedUpTo);
                copiedUpTo = (int) end;
            }
            pos = (int) end;
        }
        byte[] result = finish(out, webp, copiedUpTo);
        if (result != webp) {
            if (ImageFormat.startsWith(result, 12, WEBP_EXTENDED_CHUNK) && result.length > 20) {
                result[20] &= (byte) ~WEBP_ICC_FLAG;
            }
            int riffSize = result.length - 8;
            for (int i = 0; i < 4; i++) {
                result[4 + i] = (byte) (riffSize >>> (8 * i));
            }
        }
        return result;
    }

    private static byte[] finish(ByteArrayOutputStream out, byte[] original, int copiedUpTo) {
        if (out == null) {
            return original;
        }
        out.write(original, copiedUpTo, original.length - copiedUpTo);
        return out.toByteArray();
    }
}
