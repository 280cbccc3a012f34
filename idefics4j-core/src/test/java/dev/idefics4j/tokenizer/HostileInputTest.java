package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idefics4j.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 200,000 characters of whitespace, or of random junk, through each byte-level pre-tokenization (GPT-2's regex,
 * SmolLM2's digits, Llama 3's split): the regexes must not backtrack catastrophically, so these just have to finish
 * (no time is asserted), and the text must survive the round trip.
 */
class HostileInputTest {
    private static final int LENGTH = 200_000;

    static List<Path> tokenizers() {
        return List.of(TestData.fixture("tokenizer-bytelevel/gpt2-regex"),
                TestData.fixture("tokenizer-bytelevel/smollm2-digits"),
                TestData.fixture("tokenizer-bytelevel/llama3-split"));
    }

    private static void roundTrips(Path dir, String text) {
        Tokenizer tok = ReferenceCases.tokenizer(dir, Flavor.TOKENIZER_JSON);
        int[] ids = tok.encode(text, false);
        assertTrue(ids.length > 0, dir.toString());
        assertEquals(text, tok.decode(ids), dir.toString());
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void longWhitespaceRuns(Path dir) {
        roundTrips(dir, " ".repeat(LENGTH));
        roundTrips(dir, " \t".repeat(LENGTH / 2 - 1) + "x");
        roundTrips(dir, " ".repeat(LENGTH / 2) + "\n".repeat(LENGTH / 2));
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void longRandomJunk(Path dir) {
        String alphabet = " \t\n\r\u00a0\u3000'sSt0123456789aZé\u0301!?.,-_<>{}()\"\\/ßſΩ語😀\u200d";
        int[] cps = alphabet.codePoints().toArray();
        Random random = new Random(42);
        StringBuilder sb = new StringBuilder(LENGTH + 2);
        while (sb.length() < LENGTH) {
            sb.appendCodePoint(cps[random.nextInt(cps.length)]);
        }
        roundTrips(dir, sb.toString());
        roundTrips(dir, "!".repeat(LENGTH) + "\n");
        roundTrips(dir, "7".repeat(LENGTH));
        roundTrips(dir, "'".repeat(LENGTH) + "s");
    }
}
