package dev.idefics4j.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2's byte-level alphabet and tokenizers' {@code ByteLevel} pre-tokenizer and decoder. Every UTF-8 byte of the
 * text is written as one printable character ({@code bytes_to_unicode}: the printable Latin-1 bytes stand for
 * themselves, the other 68 take U+0100 onwards in byte order, so a space is {@code Ġ} and a newline {@code Ċ}); the
 * vocabulary is made of such strings. As a pre-tokenizer it adds the optional prefix space, cuts the text with GPT-2's
 * regex (unless {@code use_regex} is false) and maps each piece to the alphabet; as a decoder it maps the characters
 * back to bytes and the bytes to text.
 */
final class ByteLevel implements PreTokenizer {
    /** GPT-2's pre-tokenization regex (tokenizers' ByteLevel and transformers' GPT2Tokenizer). */
    private static final SplitPreTokenizer GPT2_SPLIT = new SplitPreTokenizer(
            SplitPreTokenizer.compile(Gpt2Regex.INSTANCE.regex(), Path.of("ByteLevel")), SplitDelimiterBehavior.ISOLATED,
            false);
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** The byte a character of the alphabet stands for, -1 for characters outside it (all below U+0144). */
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE;
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private final boolean addPrefixSpace;
    private final boolean useRegex;

    ByteLevel(boolean addPrefixSpace, boolean useRegex) {
        this.addPrefixSpace = addPrefixSpace;
        this.useRegex = useRegex;
    }

    @Override
    public void split(String text, List<String> out) {
        if (addPrefixSpace && !text.startsWith(" ")) {
            text = " " + text;
        }
        if (!useRegex) {
            out.add(toAlphabet(text));
            return;
        }
        List<String> pieces = new ArrayList<>();
        GPT2_SPLIT.split(text, pieces);
        for (String piece : pieces) {
            out.add(toAlphabet(piece));
        }
    }

    /** The text's UTF-8 bytes, each written as its character of the alphabet. */
    static String toAlphabet(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                sb.append(BYTE_TO_CHAR[cp]);
            } else if (cp < 0x800) {
                sb.append(BYTE_TO_CHAR[0xC0 | cp >> 6]).append(BYTE_TO_CHAR[0x80 | cp & 0x3F]);
            } else if (cp < 0x10000) {
                sb.append(BYTE_TO_CHAR[0xE0 | cp >> 12]).append(BYTE_TO_CHAR[0x80 | cp >> 6 & 0x3F])
                        .append(BYTE_TO_CHAR[0x80 | cp & 0x3F]);
            } else {
                sb.append(BYTE_TO_CHAR[0xF0 | cp >> 18]).append(BYTE_TO_CHAR[0x80 | cp >> 12 & 0x3F])
                        .append(BYTE_TO_CHAR[0x80 | cp >> 6 & 0x3F]).append(BYTE_TO_CHAR[0x80 | cp & 0x3F]);
            }
        }
        return sb.toString();
    }

    /** The byte a character stands for, or -1 when it is not in the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * tokenizers' ByteLevel decoder: the bytes of all tokens as one text. A token with a character outside the alphabet
     * (an added token such as {@code <image>} is inside it) contributes its own UTF-8 bytes; invalid UTF-8 becomes
     * U+FFFD as in Rust's {@code from_utf8_lossy}.
     */
    static String decode(List<String> tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String token : tokens) {
            if (!appendBytes(token, bytes)) {
                bytes.writeBytes(token.getBytes(StandardCharsets.UTF_8));
            }
        }
        return Utf8.decodeLossy(bytes.toByteArray());
    }

    /** Writes the bytes of a token's characters and returns true, or writes nothing and returns false. */
    private static boolean appendBytes(String token, ByteArrayOutputStream bytes) {
        for (int i = 0; i < token.length(); i++) {
            if (byteOf(token.charAt(i)) < 0) {
                return false;
            }
        }
        for (int i = 0; i < token.length(); i++) {
            bytes.write(byteOf(token.charAt(i)));
        }
        return true;
    }
}
