package dev.idefics4j.tokenizer;

/**
 * A token matched in the raw text before the vocabulary model runs (transformers' / tokenizers' {@code AddedToken}).
 *
 * @param lstrip     also swallow the whitespace to its left
 * @param rstrip     also swallow the whitespace to its right
 * @param normalized matched in the normalized text (tokenizer.json flavour) rather than the raw text
 * @param special    skipped by {@code decode(..., skipSpecialTokens=true)}
 */
public record AddedToken(String content, int id, boolean lstrip, boolean rstrip, boolean normalized, boolean special) {
}
