package dev.idefics4j.tokenizer;

/** Padding strategy of a batch, as transformers' {@code padding=False / "longest" / "max_length"}. */
public enum Padding {
    /** No padding: rows keep their own lengths. */
    NONE,
    /** Pad every row to the longest row of the batch. */
    LONGEST,
    /** Pad every row to {@code max_length} (rows that are longer stay longer unless truncated). */
    MAX_LENGTH
}
