package dev.idefics4j.tokenizer;

/** Strict UTF-8 decoding of single characters (no overlong forms, no surrogates, nothing above U+10FFFF). */
final class Utf8 {
    private Utf8() {
    }

    /** The length (1..4) of the valid UTF-8 character starting at {@code b[i]}, or 0 when it is not one. */
    static int validSequenceLength(byte[] b, int i) {
        int lead = b[i] & 0xff;
        int length;
        int min;
        if (lead < 0x80) {
            return 1;
        } else if ((lead & 0xe0) == 0xc0) {
            length = 2;
            min = 0x80;
        } else if ((lead & 0xf0) == 0xe0) {
            length = 3;
            min = 0x800;
        } else if ((lead & 0xf8) == 0xf0) {
            length = 4;
            min = 0x10000;
        } else {
            return 0;
        }
        if (i + length > b.length) {
            return 0;
        }
        for (int k = 1; k < length; k++) {
            if ((b[i + k] & 0xc0) != 0x80) {
                return 0;
            }
        }
        int cp = decode(b, i, length);
        boolean valid = cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
        return valid ? length : 0;
    }

    /** The code point of the {@code length}-byte sequence at {@code b[i]} (validity is the caller's concern). */
    static int decode(byte[] b, int i, int length) {
        int lead = b[i] & 0xff;
        int cp = switch (length) {
            case 1 -> lead;
            case 2 -> lead & 0x1f;
            case 3 -> lead & 0x0f;
            default -> lead & 0x07;
        };
        for (int k = 1; k < length; k++) {
            cp = (cp << 6) | (b[i + k] & 0x3f);
        }
        return cp;
    }
}
