package dev.idefics4j.tokenizer;

/**
 * UTF-8 for tokenizers: text made encodable, strict decoding of single characters (no overlong forms, no surrogates),
 * and lossy decoding of byte strings.
 */
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

    /**
     * Decodes UTF-8 with one U+FFFD for each maximal invalid subsequence (the longest start of a well-formed character,
     * or one byte), the Unicode practice that Rust's {@code String::from_utf8_lossy} and Python's
     * {@code errors="replace"} follow.
     */
    static String decodeLossy(byte[] b) {
        StringBuilder out = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int lead = b[i] & 0xff;
            if (lead < 0x80) {
                out.append((char) lead);
                i++;
                continue;
            }
            int more;
            int secondMin = 0x80;
            int secondMax = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                more = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                more = 2;
                // No overlong forms, no surrogates.
                secondMin = lead == 0xE0 ? 0xA0 : 0x80;
                secondMax = lead == 0xED ? 0x9F : 0xBF;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                more = 3;
                // No overlong forms, nothing above U+10FFFF.
                secondMin = lead == 0xF0 ? 0x90 : 0x80;
                secondMax = lead == 0xF4 ? 0x8F : 0xBF;
            } else {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int cp = lead & (0x3F >> more);
            int j = i + 1;
            boolean complete = true;
            for (int k = 0; k < more; k++, j++) {
                int c = j < b.length ? b[j] & 0xff : -1;
                if (c < (k == 0 ? secondMin : 0x80) || c > (k == 0 ? secondMax : 0xBF)) {
                    complete = false;
                    break;
                }
                cp = cp << 6 | c & 0x3F;
            }
            if (complete) {
                out.appendCodePoint(cp);
            } else {
                out.append('\uFFFD');
            }
            i = j;
        }
        return out.toString();
    }

    /**
     * Replaces unpaired UTF-16 surrogates by U+FFFD: they have no UTF-8 form (Python refuses such strings, and
     * SentencePiece turns malformed input into U+FFFD), and byte fallback needs the UTF-8 bytes.
     */
    static String encodable(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (sb != null) {
                    sb.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (sb == null) {
                    sb = new StringBuilder(text.length()).append(text, 0, i);
                }
                sb.append('\uFFFD');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }
}
