package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.testing.TestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Loading and encoding speed (bounds are generous for a shared CI machine; the measured times are printed), and the
 * two flavours agreeing on a long prompt that mixes every kind of text of the reference cases.
 */
class TokenizerPerformanceTest {
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
    void loadsTokenizerJsonWellUnderASecond() {
        Tokenizers.load(DIR, Flavor.TOKENIZER_JSON); // warm-up: class loading and JIT
        double ms = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // the best of three, so that a busy machine does not decide
            long start = System.nanoTime();
            Tokenizers.load(DIR, Flavor.TOKENIZER_JSON);
            ms = Math.min(ms, (System.nanoTime() - start) / 1e6);
        }
        System.out.printf("tokenizer.json load: %.1f ms%n", ms);
        assertTrue(ms < 1000, "tokenizer.json took " + ms + " ms to load");
    }

    @Test
    void encodesALongPromptInMilliseconds() {
        String prompt = longPrompt();
        for (Flavor flavor : Flavor.values()) {
            Tokenizer tok = ReferenceCases.tokenizer(DIR, flavor);
            for (int i = 0; i < 100; i++) {
                tok.encode(prompt); // warm-up: JIT
            }
            int runs = 20;
            long start = System.nanoTime();
            int tokens = 0;
            for (int i = 0; i < runs; i++) {
                tokens = tok.encode(prompt).length;
            }
            double ms = (System.nanoTime() - start) / 1e6 / runs;
            System.out.printf("%s: %d chars -> %d tokens in %.2f ms%n", flavor, prompt.length(), tokens, ms);
            assertTrue(ms < 100, flavor + " took " + ms + " ms for " + prompt.length() + " characters");
        }
    }

    @Test
    void flavoursEncodeALongMixedPromptAlike() {
        String prompt = longPrompt();
        assertArrayEquals(ReferenceCases.tokenizer(DIR, Flavor.SENTENCEPIECE).encode(prompt),
                ReferenceCases.tokenizer(DIR, Flavor.TOKENIZER_JSON).encode(prompt));
    }
}
