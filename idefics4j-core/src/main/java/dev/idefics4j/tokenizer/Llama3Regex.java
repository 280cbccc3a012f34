package dev.idefics4j.tokenizer;

/**
 * Llama 3's pre-tokenization regex ({@link #regex()}), matched by hand: a contraction in any case, else a run of
 * letters with at most one leading character that is not a newline, letter or number, else up to three numbers, else
 * an optional space and a run of other characters with the newlines after it, else whitespace up to its last newline,
 * else a run of whitespace that leaves its last character to the next piece when one follows.
 */
final class Llama3Regex implements TilingPattern {
    static final Llama3Regex INSTANCE = new Llama3Regex();

    private Llama3Regex() {
    }

    @Override
    public String regex() {
        return "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    }

    @Override
    public int matchEnd(String text, int i) {
        int c = text.codePointAt(i);
        int width = Character.charCount(c);
        if (c == '\'') {
            int end = contractionEnd(text, i);
            if (end > 0) {
                return end;
            }
        }
        int kind = RegexChars.kind(c);
        if (kind == RegexChars.LETTER) {
            return RegexChars.run(text, i, RegexChars.LETTER);
        }
        if (kind != RegexChars.NUMBER && !isNewline(c) && RegexChars.kindAt(text, i + width) == RegexChars.LETTER) {
            return RegexChars.run(text, i + width, RegexChars.LETTER);
        }
        if (kind == RegexChars.NUMBER) {
            int end = i;
            for (int k = 0; k < 3 && RegexChars.kindAt(text, end) == RegexChars.NUMBER; k++) {
                end += Character.charCount(text.codePointAt(end));
            }
            return end;
        }
        if (kind == RegexChars.OTHER || c == ' ' && RegexChars.kindAt(text, i + 1) == RegexChars.OTHER) {
            int end = RegexChars.run(text, kind == RegexChars.OTHER ? i : i + 1, RegexChars.OTHER);
            while (end < text.length() && isNewline(text.charAt(end))) {
                end++;
            }
            return end;
        }
        int runEnd = RegexChars.run(text, i, RegexChars.SPACE);
        for (int k = runEnd - 1; k >= i; k--) {
            if (isNewline(text.charAt(k))) {
                return k + 1;
            }
        }
        return RegexChars.spaceRunEnd(text, i, runEnd);
    }

    private static boolean isNewline(int c) {
        return c == '\r' || c == '\n';
    }

    /** {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)} at an apostrophe, with java.util.regex's Unicode case folding. */
    private static int contractionEnd(String text, int i) {
        int n = text.length();
        int a = i + 1 < n ? folded(text.charAt(i + 1)) : 0;
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return i + 2;
        }
        int b = i + 2 < n ? folded(text.charAt(i + 2)) : 0;
        return (a == 'r' || a == 'v') && b == 'e' || a == 'l' && b == 'l' ? i + 3 : -1;
    }

    /** The lower case a character matches case-insensitively ({@code ſ} matches {@code s}). */
    private static int folded(char c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }
}
