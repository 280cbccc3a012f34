package dev.idefics4j.tokenizer;

/**
 * Token ids and attention mask of a batch, one row per text; padded rows have the pad id where the mask is 0.
 *
 * @param inputIds      token ids, {@code [batch][length]}
 * @param attentionMask 1 for real tokens, 0 for padding, same shape as {@code inputIds}
 */
public record BatchEncoding(int[][] inputIds, int[][] attentionMask) {
    public int size() {
        return inputIds.length;
    }
}
