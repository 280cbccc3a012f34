package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.generation.GenerationResult;
import dev.idefics4j.generation.Generator;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.GenerateParity;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.tokenizer.Flavor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replays every case of {@code reference/tiny-idefics3} and {@code tiny-smolvlm}'s generate.json through
 * {@link Generator} on Idefics3Model, with the checkpoint's generation_config.json (eos lists) and the call's
 * arguments: sequences and new tokens exact, beam {@code sequences_scores} within 1e-4, greedy and sampling
 * {@code greedy_step_top5} (ids exact, processed scores within 1e-4), and the four texts through Idefics3Processor's
 * {@code batch_decode} with the slow tokenizer (the reference's).
 */
class Idefics3GenerateParityTest {
    private static final Map<String, Idefics3Processor> PROCESSORS = new HashMap<>();

    private static synchronized Idefics3Processor processor(String model) {
        return PROCESSORS.computeIfAbsent(model, m -> Idefics3Processor.fromCheckpoint(TestData.model(m), Flavor.GPT2,
                new ImageLoader()));
    }

    static Stream<Arguments> cases() {
        return ReferenceCase.caseIds(Idefics3Fixtures.MODELS, "generate.json");
    }

    @ParameterizedTest(name = "{0} generate.json#{1}")
    @MethodSource("cases")
    void generateMatchesReference(String model, String caseId) {
        JsonNode c = ReferenceCase.cases(TestData.reference(model + "/generate.json")).get(caseId);
        String where = model + " " + caseId;
        ModelInputs in = Idefics3Fixtures.inputs(model, c.get("inputs_from").asText());
        GenerationConfig config = GenerationConfig.load(TestData.model(model))
                .withOverrides(c.get("call").get("kwargs"), true);
        Idefics3Model m = Idefics3Fixtures.model(model);

        List<GenerationResult> results = GenerateParity.assertMatches(new Generator(m), in, config, m.vocabSize(), c,
                where);

        int[][] newTokens = ReferenceCase.intMatrix(c.get("new_tokens"));
        Idefics3Processor processor = processor(model);
        for (int i = 0; i < newTokens.length; i++) {
            GenerationResult r = results.get(i);
            assertArrayEquals(newTokens[i], r.newIds(), where + " new tokens " + i);
            assertEquals(c.get("text_full").get(i).asText(), processor.decode(r.ids(), false), where + " text_full");
            assertEquals(c.get("text_full_skip_special").get(i).asText(), processor.decode(r.ids(), true),
                    where + " text_full_skip_special");
            assertEquals(c.get("text_new").get(i).asText(), processor.decode(r.newIds(), false), where + " text_new");
            assertEquals(c.get("text_new_skip_special").get(i).asText(), processor.decode(r.newIds(), true),
                    where + " text_new_skip_special");
        }
    }
}
