/**
 * The LLaMA tokenizer of IDEFICS, exact to transformers 4.46: {@link dev.idefics4j.tokenizer.Tokenizers#load} reads a
 * checkpoint folder's {@code tokenizer.json} (fast flavour, the tokenizers library) or {@code tokenizer.model} (slow
 * {@code LlamaTokenizer}, SentencePiece BPE with byte fallback, {@code legacy=True}); both encode alike and decode by
 * their own rules. Depends on nothing but Jackson.
 */
package dev.idefics4j.tokenizer;
