package dev.idefics4j.tokenizer;

/** The tokens of a vocabulary model (the added tokens aside) and their ids. */
interface Vocabulary {
    /** How many ids the model has: {@code tokenizer.vocab_size}. */
    int size();

    /** The id of exactly this token string, or -1. */
    int id(String token);

    /** The token string of an id in {@code [0, size())}. */
    String token(int id);
}
