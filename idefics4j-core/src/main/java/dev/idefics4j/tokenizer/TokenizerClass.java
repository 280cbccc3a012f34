package dev.idefics4j.tokenizer;

/**
 * The transformers class that reads a tokenizer folder, for what its defaults decide: the special tokens assumed when
 * the files name none, whether BOS is added, whether a prefix space is added, and which side pads.
 */
enum TokenizerClass {
    /** {@code LlamaTokenizer}, {@code LlamaTokenizerFast} (IDEFICS, Idefics2): BOS added; the fast class pads left. */
    LLAMA("<s>", "</s>", "<unk>", true, true),
    /** {@code GPT2Tokenizer}, {@code GPT2TokenizerFast} (SmolLM2, SmolVLM): BOS only with {@code add_bos_token}. */
    GPT2("<|endoftext|>", "<|endoftext|>", "<|endoftext|>", false, false),
    /** {@code PreTrainedTokenizerFast} (Llama 3, Idefics3): what tokenizer.json and the config files say, nothing more. */
    PRETRAINED_FAST(null, null, null, false, false);

    final String bos;
    final String eos;
    final String unk;
    final boolean addBosToken;
    final boolean addPrefixSpace;

    TokenizerClass(String bos, String eos, String unk, boolean addBosToken, boolean addPrefixSpace) {
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        this.addBosToken = addBosToken;
        this.addPrefixSpace = addPrefixSpace;
    }

    /** The class a {@code tokenizer_class} value names (slow or fast spelling), or {@code fallback}. */
    static TokenizerClass named(String tokenizerClass, TokenizerClass fallback) {
        return switch (tokenizerClass == null ? "" : tokenizerClass) {
            case "LlamaTokenizer", "LlamaTokenizerFast" -> LLAMA;
            case "GPT2Tokenizer", "GPT2TokenizerFast" -> GPT2;
            case "PreTrainedTokenizerFast" -> PRETRAINED_FAST;
            default -> fallback;
        };
    }
}
