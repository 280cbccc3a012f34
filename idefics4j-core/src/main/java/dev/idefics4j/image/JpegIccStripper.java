package dev.idefics4j.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Removes embedded ICC profiles (APP2 "ICC_PROFILE" segments) from a JPEG's header. Pillow decodes a JPEG without
 * applying its profile; the JDK's reader converts the pixels through it to sRGB, which changes every pixel of, say, an
 * Adobe RGB or Display P3 photo. Without the segment the JDK decodes exactly as libjpeg does for Pillow.
 */
final class JpegIccStripper {
    private static final byte[] ICC_TAG = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
    private static final int APP2 = 0xE2;
    private static final int SOS = 0xDA;
    private static final int EOI = 0xD9;

    private JpegIccStripper() {
    }

    /** {@code jpeg} without its ICC segments; the same array when it has none or its header cannot be walked. */
    static byte[] strip(byte[] jpeg) {
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
            if (marker == APP2 && ImageFormat.startsWith(jpeg, pos + 4, ICC_TAG)) {
                if (out == null) {
                    out = new ByteArrayOutputStream(jpeg.length);
                }
                out.write(jpeg, copiedUpTo, pos - copiedUpTo);
                copiedUpTo = end;
            }
            pos = end;
        }
        if (out == null) {
            return jpeg;
        }
        out.write(jpeg, copiedUpTo, jpeg.length - copiedUpTo);
        return out.toByteArray();
    }
}
