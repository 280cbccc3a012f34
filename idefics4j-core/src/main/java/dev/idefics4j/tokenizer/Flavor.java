package dev.idefics4j.tokenizer;

/** Which file of a Hugging Face checkpoint a {@link Tokenizer} is built from. */
public enum Flavor {
    /** {@code tokenizer.model}, tokenized and decoded as transformers' slow {@code LlamaTokenizer} ({@code legacy=True}). */
    SENTENCEPIECE("tokenizer.model"),
    /** {@code tokenizer.json}, tokenized and decoded as the Hugging Face {@code tokenizers} library ("fast" tokenizer). */
    TOKENIZER_JSON("tokenizer.json");

    private final String fileName;

    Flavor(String fileName) {
        this.fileName = fileName;
    }

    /** The file in a checkpoint folder that holds this flavour's vocabulary. */
    public String fileName() {
        return fileName;
    }
}
