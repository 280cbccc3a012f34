package dev.idefics4j.tokenizer;

import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated tokenizer files (tokenizer.json, tokenizer_config.json, the SentencePiece tokenizer.model protobuf) load
 * and tokenize or fail with a TokenizerException.
 */
class TokenizerFuzzTest {
    private static final Path IDEFICS3 = TestData.model("tiny-idefics3");

    @TempDir
    Path dir;

    @Test
    void mutatedTokenizerJsonLoadsOrFailsWithATokenizerException() throws Exception {
        Files.copy(IDEFICS3.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
        Path file = dir.resolve("tokenizer.json");
        List<byte[]> seeds = List.of(MutationFuzzer.read(IDEFICS3.resolve("tokenizer.json")));
        MutationFuzzer.of("tokenizer-json", seeds, TokenizerException.class).run(400, bytes -> {
            Files.write(file, bytes);
            Tokenizers.load(dir, Flavor.TOKENIZER_JSON).encode("Hello <image> world!");
        });
    }

    @Test
    void mutatedTokenizerConfigLoadsOrFailsWithATokenizerException() throws Exception {
        Files.copy(IDEFICS3.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Path file = dir.resolve("tokenizer_config.json");
        List<byte[]> seeds = List.of(MutationFuzzer.read(IDEFICS3.resolve("tokenizer_config.json")),
                MutationFuzzer.read(TestData.model("tiny").resolve("tokenizer_config.json")));
        MutationFuzzer.of("tokenizer-config", seeds, TokenizerException.class).run(400, bytes -> {
            Files.write(file, bytes);
            Tokenizers.load(dir, Flavor.TOKENIZER_JSON).encode("Hello <image> world!");
        });
    }

    @Test
    void mutatedSentencePieceModelsParseOrFailWithATokenizerException() {
        List<byte[]> seeds = List.of(MutationFuzzer.read(TestData.model("tiny").resolve("tokenizer.model")));
        Path file = dir.resolve("tokenizer.model");
        MutationFuzzer.of("sentencepiece", seeds, TokenizerException.class).run(300, bytes -> {
            Files.write(file, bytes);
            SentencePieceModel model = SentencePieceModel.load(file);
            model.token(model.size() - 1);
        });
    }
}
