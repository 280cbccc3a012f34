package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idefics4j.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written matchers of GPT-2's and Llama 3's regexes give exactly the matches of java.util.regex (read as
 * tokenizer files are read) on random strings over the characters where the regexes' branches meet: every kind of
 * whitespace and newline, apostrophes and contraction letters in both cases, letters, numbers and other characters in
 * and outside the BMP, combining marks.
 */
class TilingPatternTest {
    private static final String ALPHABET = " \t\n\r\u000b\u00a0\u2028\u0085\u3000\u001c'sStTrReEvVmMlLdDſaZé1٣²Ⅻ!.-"
            + "\u0301\u200d😀𝔾𝟙語";

    private static void sameMatches(TilingPattern tiling, String text) {
        Matcher m = SplitPreTokenizer.compile(tiling.regex(), Path.of("test")).matcher(text);
        int start = 0;
        while (start < text.length()) {
            assertTrue(m.find(), "regex finds no match at " + start + " in " + escape(text));
            assertEquals(start, m.start(), "regex skips to " + m.start() + " in " + escape(text));
            assertEquals(m.end(), tiling.matchEnd(text, start), "match end from " + start + " in " + escape(text));
            start = m.end();
        }
        assertTrue(!m.find(), escape(text));
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> sb.append(cp >= 32 && cp < 127 ? Character.toString(cp)
                : String.format("\\u{%x}", cp)));
        return sb.append('"').toString();
    }

    @Test
    void handWrittenMatchersAgreeWithJavaUtilRegex() {
        int[] alphabet = ALPHABET.codePoints().toArray();
        Random random = new Random(20240607);
        for (TilingPattern tiling : List.of(Gpt2Regex.INSTANCE, Llama3Regex.INSTANCE)) {
            for (int i = 0; i < 20_000; i++) {
                StringBuilder sb = new StringBuilder();
                for (int n = random.nextInt(24); n > 0; n--) {
                    sb.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
                }
                sameMatches(tiling, sb.toString());
            }
        }
    }

    @Test
    void theKnownRegexesAreMatchedByHand() {
        assertSame(Llama3Regex.INSTANCE, TilingPattern.of(ReferenceCases.json(
                TestData.fixture("tokenizer-bytelevel/llama3-split/tokenizer.json")).get("pre_tokenizer")
                .get("pretokenizers").get(0).get("pattern").get("Regex").asText()));
        assertSame(Gpt2Regex.INSTANCE, TilingPattern.of("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+"
                + "|\\s+(?!\\S)|\\s+"));
        assertEquals(null, TilingPattern.of("\\s+"));
    }
}
