package dev.idefics4j.tokenizer;

import dev.idefics4j.testing.FuzzTarget;
import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.ParserFuzzTest;
import dev.idefics4j.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mutated tokenizer files (tokenizer.json, tokenizer_config.json, the SentencePiece tokenizer.model protobuf) load
 * and tokenize or fail with a TokenizerException.
 */
class TokenizerFuzzTest {
    private static final Path IDEFICS3 = TestData.model("tiny-idefics3");

    @TempDir
    static Path dir;

    /** One folder per target, holding the real file the target does not mutate. */
    @BeforeAll
    static void copyTheOtherFile() throws IOException {
        Files.copy(IDEFICS3.resolve("tokenizer_config.json"),
                Files.createDirectory(dir.resolve("json")).resolve("tokenizer_config.json"));
        Files.copy(IDEFICS3.resolve("tokenizer.json"),
                Files.createDirectory(dir.resolve("config")).resolve("tokenizer.json"));
    }

    private static final FuzzTarget TOKENIZER_JSON = FuzzTarget.of("tokenizer-json",
            bytes -> loadAndEncode(dir.resolve("json"), "tokenizer.json", bytes), TokenizerException.class);
    private static final FuzzTarget TOKENIZER_CONFIG = FuzzTarget.of("tokenizer-config",
            bytes -> loadAndEncode(dir.resolve("config"), "tokenizer_config.json", bytes), TokenizerException.class);
    private static final FuzzTarget SENTENCEPIECE = FuzzTarget.of("sentencepiece", bytes -> {
        Path file = dir.resolve("tokenizer.model");
        Files.write(file, bytes);
        SentencePieceModel model = SentencePieceModel.load(file);
        model.token(model.size() - 1);
    }, TokenizerException.class);

    private static void loadAndEncode(Path folder, String file, byte[] bytes) throws IOException {
        Files.write(folder.resolve(file), bytes);
        Tokenizers.load(folder, Flavor.TOKENIZER_JSON).encode("Hello <image> world!");
    }

    static List<byte[]> tokenizerJsonSeeds() {
        return List.of(MutationFuzzer.read(IDEFICS3.resolve("tokenizer.json")));
    }

    static List<byte[]> tokenizerConfigSeeds() {
        return List.of(MutationFuzzer.read(IDEFICS3.resolve("tokenizer_config.json")),
                MutationFuzzer.read(TestData.model("tiny").resolve("tokenizer_config.json")));
    }

    static List<byte[]> sentencePieceSeeds() {
        return List.of(MutationFuzzer.read(TestData.model("tiny").resolve("tokenizer.model")));
    }

    @MethodSource("tokenizerJsonSeeds")
    @ParserFuzzTest
    void tokenizerJson(byte[] input) throws Exception {
        TOKENIZER_JSON.accept(input);
    }

    @MethodSource("tokenizerConfigSeeds")
    @ParserFuzzTest
    void tokenizerConfig(byte[] input) throws Exception {
        TOKENIZER_CONFIG.accept(input);
    }

    @MethodSource("sentencePieceSeeds")
    @ParserFuzzTest
    void sentencePiece(byte[] input) throws Exception {
        SENTENCEPIECE.accept(input);
    }

    @Test
    void mutatedTokenizerJsonLoadsOrFailsWithATokenizerException() {
        MutationFuzzer.run(TOKENIZER_JSON, tokenizerJsonSeeds(), 400);
    }

    @Test
    void mutatedTokenizerConfigLoadsOrFailsWithATokenizerException() {
        MutationFuzzer.run(TOKENIZER_CONFIG, tokenizerConfigSeeds(), 400);
    }

    @Test
    void mutatedSentencePieceModelsParseOrFailWithATokenizerException() {
        MutationFuzzer.run(SENTENCEPIECE, sentencePieceSeeds(), 300);
    }
}
