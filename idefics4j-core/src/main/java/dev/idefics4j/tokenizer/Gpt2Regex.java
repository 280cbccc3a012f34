package dev.idefics4j.tokenizer;

/**
 * GPT-2's pre-tokenization regex ({@link #regex()}), matched by hand: a contraction ({@code 's}, {@code 't},
 * {@code 're}, {@code 've}, {@code 'm}, {@code 'll}, {@code 'd}, case-sensitive), else an optional space and a run of
 * letters, of numbers or of other non-space characters, else a run of whitespace that leaves its last character to the
 * next piece when one follows.
 */
final class Gpt2Regex implements TilingPattern {
    static final Gpt2Regex INSTANCE = new Gpt2Regex();

    private Gpt2Regex() {
    }

    @Override
    public String regex() {
        return "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    }

    @Override
    public int matchEnd(String text, int i) {
        int c = text.codePointAt(i);
        if (c == '\'') {
            int end = contractionEnd(text, i);
            if (end > 0) {
                return end;
            }
        }
        if (c == ' ') {
            int next = RegexChars.kindAt(text, i + 1);
            if (next >= 0 && next != RegexChars.SPACE) {
                return RegexChars.run(text, i + 1, next);
            }
        }
        int kind = RegexChars.kind(c);
        int end = RegexChars.run(text, i, kind);
        return kind == RegexChars.SPACE ? RegexChars.spaceRunEnd(text, i, end) : end;
    }

    private static int contractionEnd(String text, int i) {
        int n = text.length();
        char a = i + 1 < n ? text.charAt(i + 1) : 0;
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return i + 2;
        }
        char b = i + 2 < n ? text.charAt(i + 2) : 0;
        return (a == 'r' || a == 'v') && b == 'e' || a == 'l' && b == 'l' ? i + 3 : -1;
    }
}
