package dev.idefics4j.tokenizer;

/**
 * How {@link Tokenizer#encodeBatch} builds its rows, as the keyword arguments of transformers' {@code tokenizer(texts, ...)}.
 *
 * @param addSpecialTokens add BOS/EOS (the tokenizer's template) to every row
 * @param padding          padding strategy; the side and pad id come from the tokenizer
 * @param truncation       cut rows longer than the limit (text tokens are removed, the special tokens kept)
 * @param maxLength        the limit for truncation and {@link Padding#MAX_LENGTH}; {@link #UNSET} means the tokenizer's
 *                         {@code model_max_length}
 */
public record EncodeOptions(boolean addSpecialTokens, Padding padding, boolean truncation, int maxLength) {
    /** {@code maxLength} value meaning "not given". */
    public static final int UNSET = -1;

    public EncodeOptions {
        if (padding == null) {
            throw new IllegalArgumentException("padding must not be null (use Padding.NONE)");
        }
        if (maxLength < UNSET) {
            throw new IllegalArgumentException("maxLength must be >= 0 or UNSET, not " + maxLength);
        }
    }

    /** transformers' defaults: special tokens added, no padding, no truncation. */
    public static EncodeOptions defaults() {
        return new EncodeOptions(true, Padding.NONE, false, UNSET);
    }

    public EncodeOptions withAddSpecialTokens(boolean value) {
        return new EncodeOptions(value, padding, truncation, maxLength);
    }

    public EncodeOptions withPadding(Padding value) {
        return new EncodeOptions(addSpecialTokens, value, truncation, maxLength);
    }

    public EncodeOptions withTruncation(boolean value) {
        return new EncodeOptions(addSpecialTokens, padding, value, maxLength);
    }

    public EncodeOptions withMaxLength(int value) {
        return new EncodeOptions(addSpecialTokens, padding, truncation, value);
    }
}
