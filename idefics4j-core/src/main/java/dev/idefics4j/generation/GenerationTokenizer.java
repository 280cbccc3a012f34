package dev.idefics4j.generation;

/**
 * The little generation needs from a tokenizer: turning {@code bad_words} and {@code stop} strings into ids and
 * generated ids back into text (stop strings, streaming). The real tokenizer implements it.
 */
public interface GenerationTokenizer {
    /** The ids of {@code text} without special tokens (no BOS). */
    int[] encode(String text);

    /** The text of {@code ids}. */
    String decode(int[] ids);

    /** The generation view of a tokenizer: encoding without special tokens, decoding that skips them. */
    static GenerationTokenizer of(dev.idefics4j.tokenizer.Tokenizer tokenizer) {
        return new GenerationTokenizer() {
            @Override
            public int[] encode(String text) {
                return tokenizer.encode(text, false);
            }

            @Override
            public String decode(int[] ids) {
                return tokenizer.decode(ids, true);
            }
        };
    }
}
