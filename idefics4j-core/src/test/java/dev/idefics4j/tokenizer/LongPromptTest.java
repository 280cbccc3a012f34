package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.testing.TestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A long prompt that mixes every kind of text of the reference cases: the two flavours agree on it, and a
 * tokenizer encodes it the same before and after its code is compiled. (Speed is measured by the JMH
 * {@code TokenizerBenchmark}, not asserted here.)
 */
class LongPromptTest {
    private static final Path DIR = TestData.fixture("tokenizer");

    /** About 6000 characters: all reference strings, with an image every few strings, repeated. */
    static String longPrompt() {
        StringBuilder sb = new StringBuilder();
        JsonNode cases = ReferenceCases.json(TestData.reference(ReferenceCases.SLOW_FILE)).get("cases").get("instruct");
        for (int round = 0; sb.length() < 6000; round++) {
            int i = 0;
            for (JsonNode c : cases) {
                if (c.get("text").isTextual()) {
                    sb.append(c.get("text").asText()).append(i++ % 5 == round % 5 ? "<fake_token_around_image><image>" : " ");
                }
            }
        }
        return sb.toString();
    }

    @Test
    void flavoursEncodeALongMixedPromptAlike() {
        String prompt = longPrompt();
        assertArrayEquals(ReferenceCases.tokenizer(DIR, Flavor.SENTENCEPIECE).encode(prompt),
                ReferenceCases.tokenizer(DIR, Flavor.TOKENIZER_JSON).encode(prompt));
    }

    @Test
    void encodingIsTheSameBeforeAndAfterWarmUp() {
        String prompt = longPrompt();
        for (Flavor flavor : ReferenceCases.LLAMA_FLAVORS) {
            Tokenizer tok = ReferenceCases.tokenizer(DIR, flavor);
            int[] first = tok.encode(prompt);
            assertTrue(first.length > 1000, flavor + ": " + first.length + " tokens");
            for (int i = 0; i < 200; i++) {
                tok.encode(prompt);
            }
            assertArrayEquals(first, tok.encode(prompt), flavor.toString());
        }
    }
}
