package dev.idefics4j.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Loads the tokenizer of a Hugging Face checkpoint folder. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * Loads {@code tokenizer.json} when the folder has one, else {@code tokenizer.model}, else {@code vocab.json} with
     * {@code merges.txt}, as transformers' {@code AutoProcessor} / {@code AutoTokenizer} do (they prefer the fast
     * tokenizer).
     */
    public static Tokenizer load(Path dir) {
        requireFolder(dir);
        List<Flavor> present = flavors(dir);
        if (present.isEmpty()) {
            throw new TokenizerException(dir + ": no tokenizer.json, tokenizer.model or vocab.json in this folder");
        }
        return load(dir, present.getFirst());
    }

    /** The flavours a folder can be loaded as (those whose file it holds), the preferred one first. */
    public static List<Flavor> flavors(Path dir) {
        return Arrays.stream(new Flavor[] {Flavor.TOKENIZER_JSON, Flavor.SENTENCEPIECE, Flavor.GPT2})
                .filter(f -> Files.isRegularFile(dir.resolve(f.fileName())))
                .toList();
    }

    /**
     * Loads a tokenizer file: {@code tokenizer.model} or {@code vocab.json} as the slow flavours of its folder, any other
     * file as a tokenizer.json, each with the config files ({@code tokenizer_config.json}, ...) of its folder.
     */
    public static Tokenizer loadFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new TokenizerException(file + ": tokenizer file not found");
        }
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        if (name.equals(Flavor.SENTENCEPIECE.fileName())) {
            return load(dir, Flavor.SENTENCEPIECE);
        }
        if (name.equals(Flavor.GPT2.fileName())) {
            return load(dir, Flavor.GPT2);
        }
        return FastTokenizer.load(dir, file);
    }

    /** Loads the given flavour; its file must be in the folder. */
    public static Tokenizer load(Path dir, Flavor flavor) {
        requireFolder(dir);
        return switch (flavor) {
            case SENTENCEPIECE -> SentencePieceTokenizer.load(dir);
            case TOKENIZER_JSON -> FastTokenizer.load(dir);
            case GPT2 -> Gpt2Tokenizer.load(dir);
        };
    }

    private static void requireFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new TokenizerException(dir + ": tokenizer folder not found");
        }
    }
}
