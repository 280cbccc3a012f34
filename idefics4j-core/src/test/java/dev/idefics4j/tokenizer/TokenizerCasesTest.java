package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reference case, both flavours: tokenizer.model against reference/tokenizer_cases.json (transformers' slow
 * LlamaTokenizer), tokenizer.json against reference/tokenizer_fast_cases.json (the tokenizers library).
 */
class TokenizerCasesTest {
    static Stream<Arguments> singleCases() {
        return ReferenceCases.cases(false);
    }

    static Stream<Arguments> batchCases() {
        return ReferenceCases.cases(true);
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("singleCases")
    void reproducesCase(String id, Flavor flavor, String set, JsonNode c) {
        ReferenceCases.assertSingleCase(ReferenceCases.tokenizer(ReferenceCases.folder(set), flavor), c);
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("batchCases")
    void reproducesPaddedBatch(String id, Flavor flavor, String set, JsonNode c) {
        ReferenceCases.assertBatchCase(ReferenceCases.tokenizer(ReferenceCases.folder(set), flavor), c);
    }
}
