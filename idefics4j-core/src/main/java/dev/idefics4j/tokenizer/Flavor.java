package dev.idefics4j.tokenizer;

/**
 * Which file of a Hugging Face checkpoint a {@link Tokenizer} is built from. The flavours of one checkpoint encode
 * alike; decoding follows either transformers' Python ("slow") class or the tokenizers library ("fast"), whose rules
 * differ around added tokens and special tokens.
 */
public enum Flavor {
    /** {@code tokenizer.model}, tokenized and decoded as transformers' slow {@code LlamaTokenizer} ({@code legacy=True}). */
    SENTENCEPIECE("tokenizer.model"),
    /** {@code tokenizer.json}, tokenized and decoded as the Hugging Face {@code tokenizers} library ("fast" tokenizer). */
    TOKENIZER_JSON("tokenizer.json"),
    /**
     * {@code vocab.json} with {@code merges.txt}, tokenized and decoded as transformers' slow {@code GPT2Tokenizer}
     * (byte-level BPE: SmolLM2, SmolVLM, Idefics3 checkpoints that ship the slow files).
     */
    GPT2("vocab.json");

    private final String fileName;

    Flavor(String fileName) {
        this.fileName = fileName;
    }

    /** Whether this flavour decodes as transformers' Python class rather than the tokenizers library. */
    public boolean slow() {
        return this != TOKENIZER_JSON;
    }

    /** The file in a checkpoint folder that holds this flavour's vocabulary. */
    public String fileName() {
        return fileName;
    }
}
