package dev.idefics4j.tokenizer;

/**
 * A pre-tokenization regex of a known tokenizer, matched by hand: it matches at every position, so its successive
 * matches tile the text, and {@link #matchEnd} gives the end of the match that starts at a position. Each gives the
 * pieces java.util.regex gives for its pattern ({@link SplitPreTokenizer#compile}), several times faster.
 */
interface TilingPattern {
    /** The regex this matcher stands for. */
    String regex();

    /** The end of the match that starts at {@code start} (a code point boundary before the end of {@code text}). */
    int matchEnd(String text, int start);

    /** The hand-written matcher of a regex, or {@code null} when there is none. */
    static TilingPattern of(String regex) {
        if (regex.equals(Gpt2Regex.INSTANCE.regex())) {
            return Gpt2Regex.INSTANCE;
        }
        if (regex.equals(Llama3Regex.INSTANCE.regex())) {
            return Llama3Regex.INSTANCE;
        }
        return null;
    }
}
