package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of {@code reference/bytelevel_tokenizer_cases.json} (the Rust tokenizers library): 45 strings and a
 * left-padded batch through tiny-smolvlm's tokenizer.json and the three variants of tiny-idefics3's (GPT-2 regex,
 * SmolLM2 digits, Llama 3 split), every field exact; and the slow GPT2Tokenizer flavour of tiny-idefics3 and
 * tiny-smolvlm on the same strings: the same ids and tokens, and the slow decodes {@code slow_tokenizer_check} lists
 * where they differ from the Rust ones.
 */
class ByteLevelCasesTest {
    private static final Path FILE = TestData.reference("bytelevel_tokenizer_cases.json");
    /** Where each set's tokenizer.json lies, and the model folder whose slow files encode like it. */
    private static final Map<String, String> FOLDERS = Map.of(
            "gpt2-regex", "tokenizer-bytelevel/gpt2-regex",
            "smollm2-digits", "tokenizer-bytelevel/smollm2-digits",
            "llama3-split", "tokenizer-bytelevel/llama3-split",
            "tiny-smolvlm", "models/tiny-smolvlm");
    private static final Map<String, String> SLOW_MODELS = Map.of("gpt2-regex", "tiny-idefics3",
            "tiny-smolvlm", "tiny-smolvlm");

    @TempDir
    Path tmp;

    /** (case id, set, case) for every single-string case, or ({@code batch}) the batch case of every set. */
    static Stream<Arguments> cases(boolean batch) {
        List<Arguments> out = new ArrayList<>();
        JsonNode sets = ReferenceCases.json(FILE).get("cases");
        for (String set : List.of("gpt2-regex", "smollm2-digits", "llama3-split", "tiny-smolvlm")) {
            for (JsonNode c : sets.get(set)) {
                if (c.get("text").isArray() == batch) {
                    out.add(Arguments.of(c.get("id").asText(), set, c));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> singleCases() {
        return cases(false);
    }

    static Stream<Arguments> batchCases() {
        return cases(true);
    }

    static Stream<Arguments> slowCases() {
        return cases(false).filter(a -> SLOW_MODELS.containsKey((String) a.get()[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleCases")
    void rustLibraryCase(String id, String set, JsonNode c) {
        Tokenizer tok = ReferenceCases.tokenizer(TestData.fixture(FOLDERS.get(set)), Flavor.TOKENIZER_JSON);
        ReferenceCases.assertSingleCase(tok, c);
    }

    /**
     * The batch pads with the pad token of the model's tokenizer_config.json; the variants get tiny-idefics3's (without
     * clean_up_tokenization_spaces, which the Rust library does not apply).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("batchCases")
    void rustLibraryPaddedBatch(String id, String set, JsonNode c) {
        Path dir = TestData.fixture(FOLDERS.get(set));
        if (set.equals("tiny-smolvlm")) {
            ReferenceCases.assertBatchCase(ReferenceCases.tokenizer(dir, Flavor.TOKENIZER_JSON), c);
            return;
        }
        TestFolders.copy(dir, tmp, "tokenizer.json");
        TestFolders.copy(TestData.model("tiny-idefics3"), tmp, TestFolders.CONFIG_FILES);
        TestFolders.editConfig(tmp, config -> config.put("clean_up_tokenization_spaces", false));
        ReferenceCases.assertBatchCase(Tokenizers.load(tmp, Flavor.TOKENIZER_JSON), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slowCases")
    void slowTokenizerCase(String id, String set, JsonNode c) {
        ObjectNode expected = c.deepCopy();
        JsonNode differences = ReferenceCases.json(FILE).get("slow_tokenizer_check").get(set).get("decode_differences");
        for (JsonNode difference : differences) {
            if (difference.get("id").asText().equals(id)) {
                difference.get("fields").fields()
                        .forEachRemaining(f -> expected.set(f.getKey(), f.getValue().get("slow")));
            }
        }
        Tokenizer slow = ReferenceCases.tokenizer(TestData.model(SLOW_MODELS.get(set)), Flavor.GPT2);
        ReferenceCases.assertSingleCase(slow, expected);
    }
}
