package dev.idefics4j.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the tokenizer of a Hugging Face checkpoint folder. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * Loads {@code tokenizer.json} when the folder has one and {@code tokenizer.model} otherwise, as transformers'
     * {@code AutoProcessor} / {@code AutoTokenizer} do (they prefer the fast tokenizer).
     */
    public static Tokenizer load(Path dir) {
        requireFolder(dir);
        if (Files.isRegularFile(dir.resolve(Flavor.TOKENIZER_JSON.fileName()))) {
            return load(dir, Flavor.TOKENIZER_JSON);
        }
        if (Files.isRegularFile(dir.resolve(Flavor.SENTENCEPIECE.fileName()))) {
            return load(dir, Flavor.SENTENCEPIECE);
        }
        throw new TokenizerException(dir + ": no tokenizer.json or tokenizer.model in this folder");
    }

    /** Loads the given flavour; its file must be in the folder. */
    public static Tokenizer load(Path dir, Flavor flavor) {
        requireFolder(dir);
        return switch (flavor) {
            case SENTENCEPIECE -> SentencePieceTokenizer.load(dir);
            case TOKENIZER_JSON -> FastTokenizer.load(dir);
        };
    }

    private static void requireFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new TokenizerException(dir + ": tokenizer folder not found");
        }
    }
}
