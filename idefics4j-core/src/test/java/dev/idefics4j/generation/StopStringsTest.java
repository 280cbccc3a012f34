package dev.idefics4j.generation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.testing.ReferenceCase;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Stop strings and bad words given as text, resolved through the generator's tokenizer. */
class StopStringsTest {
    private static final String MODEL = "tiny";
    private final Generator generator = new Generator(Fixtures.model(MODEL), new FakeTokenizer());

    /** greedy_bad_words generates [16894, 32002, 7423, 27311, 112, 30459, 25412, 1279] after its prompt. */
    private GenerationResult greedy(Map<String, ?> extra) {
        Fixtures.Call call = Fixtures.call(MODEL, "greedy_bad_words");
        return generator.generate(call.inputs(), call.config().withOverrides(extra)).getFirst();
    }

    private static int[] reference() {
        return ReferenceCase.intArray(Fixtures.generateCases(MODEL).get("greedy_bad_words").get("new_tokens").get(0));
    }

    @Test
    void aStopStringEndsTheRowAtTheTokenThatCompletesIt() {
        GenerationResult r = greedy(Map.of("stop", "[7423]"));
        assertEquals(FinishReason.STOP, r.finishReason());
        assertArrayEquals(Arrays.copyOf(reference(), 3), r.producedIds());
        assertEquals(r.ids().length, r.promptLength() + 3, "a single row is not padded past its stop");
    }

    @Test
    void aStopStringMayOverhangTokenBoundariesOnBothSides() {
        // "23][273" starts inside [7423] and ends inside [27311].
        GenerationResult r = greedy(Map.of("stop", List.of("nothing like this", "23][273")));
        assertEquals(FinishReason.STOP, r.finishReason());
        assertArrayEquals(Arrays.copyOf(reference(), 4), r.producedIds());
    }

    @Test
    void aStopStringOnlyInThePromptDoesNotStop() {
        GenerationResult r = greedy(Map.of("stop", "[4911]")); // "User" in the prompt
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertArrayEquals(reference(), r.producedIds());
    }

    @Test
    void inABatchAStoppedRowIsPaddedWhileTheOthersGoOn() {
        Fixtures.Call call = Fixtures.call(MODEL, "batch3_greedy");
        int[][] expected = ReferenceCase.intMatrix(call.reference().get("new_tokens"));
        String stop = new FakeTokenizer().decode(new int[]{expected[1][2]});
        List<GenerationResult> out = generator.generate(call.inputs(),
                call.config().withOverrides(Map.of("stop", stop)));
        assertEquals(FinishReason.STOP, out.get(1).finishReason());
        assertArrayEquals(Arrays.copyOf(expected[1], 3), out.get(1).producedIds());
        int[] tail = out.get(1).newIds();
        for (int i = 3; i < tail.length; i++) {
            assertEquals(0, tail[i], "pad_token_id after the stop");
        }
        assertArrayEquals(expected[0], out.get(0).newIds());
        assertArrayEquals(expected[2], out.get(2).newIds());
    }

    @Test
    void badWordsAsTextEqualBadWordsIds() {
        JsonNode c = Fixtures.generateCases(MODEL).get("greedy_bad_words");
        GenerationConfig config = Fixtures.config(MODEL).withOverrides(Map.of("max_new_tokens", 8,
                "bad_words", List.of("[32001]", "[32000]")));
        GenerationResult r = generator.generate(Fixtures.inputs(MODEL, c.get("inputs_from").asText()), config)
                .getFirst();
        assertArrayEquals(ReferenceCase.intArray(c.get("sequences").get(0)), r.ids());
    }
}
