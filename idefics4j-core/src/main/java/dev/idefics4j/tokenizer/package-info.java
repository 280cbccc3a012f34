/**
 * The tokenizers of the IDEFICS family, exact to transformers 4.46: {@link dev.idefics4j.tokenizer.Tokenizers#load}
 * reads a checkpoint folder's {@code tokenizer.json} (fast flavour, as the tokenizers library runs it: the LLaMA BPE
 * with byte fallback, or byte-level BPE with the GPT-2, SmolLM2 or Llama 3 pre-tokenization), {@code tokenizer.model}
 * (slow {@code LlamaTokenizer}, SentencePiece BPE with byte fallback, {@code legacy=True}) or {@code vocab.json} with
 * {@code merges.txt} (slow {@code GPT2Tokenizer}). The flavours of a checkpoint encode alike and decode by their own
 * rules. Depends on nothing but Jackson.
 */
package dev.idefics4j.tokenizer;
