package dev.idefics4j.tokenizer;

/**
 * The character classes of the pre-tokenization regexes, as java.util.regex reads them with
 * {@code UNICODE_CHARACTER_CLASS} (and Oniguruma in the tokenizers library): {@code \p{L}}, {@code \p{N}}, {@code \s}
 * (the White_Space property) and everything else.
 */
final class RegexChars {
    static final int LETTER = 0;
    static final int NUMBER = 1;
    static final int SPACE = 2;
    static final int OTHER = 3;
    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = (byte) classify(c);
        }
    }

    private RegexChars() {
    }

    /** LETTER, NUMBER, SPACE or OTHER. */
    static int kind(int cp) {
        return cp < 128 ? ASCII[cp] : classify(cp);
    }

    private static int classify(int cp) {
        if (Character.isLetter(cp)) {
            return LETTER;
        }
        int type = Character.getType(cp);
        if (type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER) {
            return NUMBER;
        }
        boolean separator = type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
        return separator || cp >= 0x9 && cp <= 0xd || cp == 0x85 ? SPACE : OTHER;
    }

    /** The end of the run of code points of class {@code kind} that starts at {@code i}. */
    static int run(String text, int i, int kind) {
        int n = text.length();
        while (i < n) {
            int cp = text.codePointAt(i);
            if (kind(cp) != kind) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }

    /** The kind of the code point at {@code i}, or -1 at the end of the text. */
    static int kindAt(String text, int i) {
        return i < text.length() ? kind(text.codePointAt(i)) : -1;
    }

    /**
     * {@code \s+(?!\S)} then {@code \s+} at the start of a whitespace run ending at {@code runEnd}: the run without its
     * last character when something else follows it (so that character can prefix the next word), else all of it.
     */
    static int spaceRunEnd(String text, int start, int runEnd) {
        // Whitespace characters are all in the BMP, so the last one is one char.
        return runEnd < text.length() && runEnd - 1 > start ? runEnd - 1 : runEnd;
    }
}
