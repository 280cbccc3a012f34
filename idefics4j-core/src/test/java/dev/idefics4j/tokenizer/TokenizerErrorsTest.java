package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idefics4j.testing.TestData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Missing, truncated and corrupt tokenizer files give a {@link TokenizerException} that names the file and the problem. */
class TokenizerErrorsTest {
    private static final Path SOURCE = TestData.fixture("tokenizer");

    @TempDir
    Path dir;

    private static TokenizerException loadFails(Path dir, Flavor flavor, String fileName, String problem) {
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.load(dir, flavor));
        assertTrue(e.getMessage().contains(dir.resolve(fileName).toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "says \"" + problem + "\": " + e.getMessage());
        return e;
    }

    @Test
    void missingTokenizerModel() {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        loadFails(dir, Flavor.SENTENCEPIECE, "tokenizer.model", "not found");
    }

    @Test
    void missingTokenizerJson() {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        loadFails(dir, Flavor.TOKENIZER_JSON, "tokenizer.json", "not found");
    }

    @Test
    void folderWithoutEitherFile() {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("no tokenizer.json, tokenizer.model or vocab.json"), e.getMessage());
    }

    @Test
    void missingFolder() {
        Path missing = dir.resolve("absent");
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("not found"), e.getMessage());
    }

    /** Cut anywhere (inside the pieces, between fields, in the last spec), the model no longer loads. */
    @ParameterizedTest(name = "cut at {0} of the file")
    @ValueSource(doubles = {0.0001, 0.25, 0.5, 0.9, 0.9999})
    void truncatedTokenizerModel(double fraction) {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        byte[] model = TestFolders.bytes(SOURCE.resolve("tokenizer.model"));
        TestFolders.write(dir.resolve("tokenizer.model"), Arrays.copyOf(model, (int) (model.length * fraction)));
        loadFails(dir, Flavor.SENTENCEPIECE, "tokenizer.model", "corrupt or truncated");
    }

    @Test
    void emptyTokenizerModel() {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        TestFolders.write(dir.resolve("tokenizer.model"), new byte[0]);
        loadFails(dir, Flavor.SENTENCEPIECE, "tokenizer.model", "no pieces");
    }

    @Test
    void garbageTokenizerModel() {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        TestFolders.write(dir.resolve("tokenizer.model"), garbage);
        loadFails(dir, Flavor.SENTENCEPIECE, "tokenizer.model", "not a valid SentencePiece model");
    }

    @Test
    void truncatedTokenizerJson() {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        byte[] json = TestFolders.bytes(SOURCE.resolve("tokenizer.json"));
        TestFolders.write(dir.resolve("tokenizer.json"), Arrays.copyOf(json, json.length / 2));
        loadFails(dir, Flavor.TOKENIZER_JSON, "tokenizer.json", "invalid JSON");
    }

    @Test
    void tokenizerJsonMergeOutsideTheVocabulary() {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        TestFolders.copyEdited(SOURCE, dir, "tokenizer.json", s -> s.replaceFirst("\"▁ t\"", "\"▁ no-such-token\""));
        loadFails(dir, Flavor.TOKENIZER_JSON, "tokenizer.json", "no-such-token");
    }

    @Test
    void tokenizerJsonVocabularyIdTooLarge() {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        TestFolders.copyEdited(SOURCE, dir, "tokenizer.json",
                s -> s.replaceFirst("\"▁t\": *\\d+", "\"▁t\": 2147483647"));
        loadFails(dir, Flavor.TOKENIZER_JSON, "tokenizer.json",
                "vocabulary id 2147483647 of \"▁t\" is beyond 16777215");
    }

    @Test
    void tokenizerJsonWithUnsupportedPreTokenizer() {
        TestFolders.copy(SOURCE, dir, TestFolders.CONFIG_FILES);
        TestFolders.copyEdited(SOURCE, dir, "tokenizer.json",
                s -> s.replace("\"pre_tokenizer\": null", "\"pre_tokenizer\": {\"type\": \"Metaspace\"}"));
        loadFails(dir, Flavor.TOKENIZER_JSON, "tokenizer.json", "Metaspace");
    }

    @Test
    void corruptTokenizerConfig() {
        TestFolders.copy(SOURCE, dir, "tokenizer.model", "special_tokens_map.json", "added_tokens.json");
        TestFolders.write(dir.resolve("tokenizer_config.json"), "{\"add_bos_token\": tru".getBytes());
        loadFails(dir, Flavor.SENTENCEPIECE, "tokenizer_config.json", "invalid JSON");
    }

    private static final Path SMOLVLM = TestData.model("tiny-smolvlm");

    @Test
    void vocabJsonWithoutMergesTxt() {
        TestFolders.copy(SMOLVLM, dir, "vocab.json");
        TestFolders.copy(SMOLVLM, dir, TestFolders.CONFIG_FILES);
        loadFails(dir, Flavor.GPT2, "merges.txt", "not found");
    }

    @Test
    void mergesTxtLineThatIsNotAPair() {
        TestFolders.copy(SMOLVLM, dir, "vocab.json");
        TestFolders.copy(SMOLVLM, dir, TestFolders.CONFIG_FILES);
        TestFolders.copyEdited(SMOLVLM, dir, "merges.txt", s -> s.replaceFirst("\n(\\S+) (\\S+)\n", "\n$1$2\n"));
        loadFails(dir, Flavor.GPT2, "merges.txt", "line 2");
    }

    @Test
    void slowGpt2ErrorsOtherThanReplace() {
        TestFolders.copy(SMOLVLM, dir, "vocab.json", "merges.txt");
        TestFolders.copy(SMOLVLM, dir, TestFolders.CONFIG_FILES);
        TestFolders.editConfig(dir, config -> config.put("errors", "strict"));
        loadFails(dir, Flavor.GPT2, "tokenizer_config.json", "errors=\"strict\"");
    }

    @Test
    void tokenizerJsonWithUnsupportedPostProcessorOrDecoder() {
        TestFolders.copy(SMOLVLM, dir, TestFolders.CONFIG_FILES);
        TestFolders.copyEdited(SMOLVLM, dir, "tokenizer.json",
                s -> s.replace("\"post_processor\": null", "\"post_processor\": {\"type\": \"RobertaProcessing\"}"));
        loadFails(dir, Flavor.TOKENIZER_JSON, "tokenizer.json", "RobertaProcessing");
        TestFolders.copyEdited(SMOLVLM, dir, "tokenizer.json", s -> s.replaceFirst(
                "\"decoder\": \\{\\s*\"type\": \"ByteLevel\"", "\"decoder\": {\"type\": \"WordPiece\""));
        loadFails(dir, Flavor.TOKENIZER_JSON, "tokenizer.json", "WordPiece");
    }
}
