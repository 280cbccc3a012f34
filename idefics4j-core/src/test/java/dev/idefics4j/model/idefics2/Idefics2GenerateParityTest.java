package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.generation.GenerationResult;
import dev.idefics4j.generation.Generator;
import dev.idefics4j.testing.GenerateParity;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.tokenizer.Flavor;
import dev.idefics4j.tokenizer.Tokenizer;
import dev.idefics4j.tokenizer.Tokenizers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every case of {@code reference/tiny-idefics2/generate.json} through {@link Generator} on the inputs of the processor
 * case it names: sequences token-exact, beam {@code sequences_scores} and greedy/sampling per-step top-5 scores within
 * 1e-4, and the texts ({@code text_full}, {@code text_new}, each with and without special tokens) as the slow
 * tokenizer ({@code tokenizer.model}) decodes the sequences.
 */
class Idefics2GenerateParityTest {
    private static final Tokenizer SLOW = Tokenizers.load(TestData.model(Idefics2Reference.MODEL),
            Flavor.SENTENCEPIECE);

    static Set<String> cases() {
        return ReferenceCase.cases(TestData.reference(Idefics2Reference.MODEL + "/generate.json")).keySet();
    }

    @ParameterizedTest(name = "tiny-idefics2 generate.json#{0}")
    @MethodSource("cases")
    void generateMatchesReference(String caseId) {
        JsonNode c = ReferenceCase.cases(TestData.reference(Idefics2Reference.MODEL + "/generate.json")).get(caseId);
        Idefics2Model model = Idefics2Reference.model();
        GenerationConfig config = GenerationConfig.load(TestData.model(Idefics2Reference.MODEL))
                .withOverrides(c.get("call").get("kwargs"), true);
        List<GenerationResult> results = GenerateParity.assertMatches(new Generator(model),
                Idefics2Reference.inputs(c.get("inputs_from").asText()), config, model.vocabSize(), c, caseId);

        int[][] full = results.stream().map(GenerationResult::ids).toArray(int[][]::new);
        int[][] fresh = results.stream().map(r -> Arrays.copyOfRange(r.ids(), r.promptLength(), r.ids().length))
                .toArray(int[][]::new);
        assertEquals(ReferenceCase.strings(c.get("text_full")), SLOW.batchDecode(full, false), caseId + " text_full");
        assertEquals(ReferenceCase.strings(c.get("text_full_skip_special")), SLOW.batchDecode(full, true),
                caseId + " text_full_skip_special");
        assertEquals(ReferenceCase.strings(c.get("text_new")), SLOW.batchDecode(fresh, false), caseId + " text_new");
        assertEquals(ReferenceCase.strings(c.get("text_new_skip_special")), SLOW.batchDecode(fresh, true),
                caseId + " text_new_skip_special");
    }
}
