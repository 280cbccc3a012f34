package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The pre-tokenizers on the strings where regex semantics matter (Unicode whitespace, numeric categories, combining
 * marks, case-insensitive contractions, whitespace runs before digits and newlines). The expected pieces are what the
 * Rust tokenizers library 0.23.2 (npm binding) gives: its ByteLevel and Digits + ByteLevel pre-tokenizers, and the
 * word boundaries of {@code tokenizer-bytelevel/llama3-split}. The byte-level pieces are shown as the text they encode.
 */
class PreTokenizerTest {
    private static final Path LLAMA3 = TestData.fixture("tokenizer-bytelevel/llama3-split/tokenizer.json");

    private record Case(String text, List<String> gpt2, List<String> digits, List<String> llama3) {
    }

    private static final List<Case> CASES = List.of(
            new Case("x\u00a0 y \u00a0z",
                    List.of("x", "\u00a0", " y", " ", "\u00a0", "z"),
                    List.of("x", "\u00a0", " y", " ", "\u00a0", "z"),
                    List.of("x", "\u00a0", " y", " ", "\u00a0z")),
            new Case("a\u3000\u3000b c\u2028\u2028d e\u0085\u0085f",
                    List.of("a", "\u3000", "\u3000", "b", " c", "\u2028", "\u2028", "d", " e", "\u0085", "\u0085", "f"),
                    List.of("a", "\u3000", "\u3000", "b", " c", "\u2028", "\u2028", "d", " e", "\u0085", "\u0085", "f"),
                    List.of("a", "\u3000", "\u3000b", " c", "\u2028", "\u2028d", " e", "\u0085", "\u0085f")),
            new Case("g\u001c\u001f h\u200b\u200bi",
                    List.of("g", "\u001c\u001f", " h", "\u200b\u200b", "i"),
                    List.of("g", "\u001c\u001f", " h", "\u200b\u200b", "i"),
                    List.of("g", "\u001c\u001f", " h", "\u200b\u200b", "i")),
            new Case("IT'S  YOU'LL it'\u017f I'M don\u2019t",
                    List.of("IT", "'", "S", " ", " YOU", "'", "LL", " it", "'", "\u017f", " I", "'", "M", " don",
                            "\u2019", "t"),
                    List.of("IT", "'", "S", " ", " YOU", "'", "LL", " it", "'", "\u017f", " I", "'", "M", " don",
                            "\u2019", "t"),
                    List.of("IT", "'S", " ", " YOU", "'LL", " it", "'\u017f", " I", "'M", " don", "\u2019t")),
            new Case("  12345 x",
                    List.of(" ", " 12345", " x"),
                    List.of("  ", "1", "2", "3", "4", "5", " x"),
                    List.of(" ", " ", "123", "45", " x")),
            new Case("\n\n  3\r\n\r\n",
                    List.of("\n\n ", " 3", "\r\n\r\n"),
                    List.of("\n\n  ", "3", "\r\n\r\n"),
                    List.of("\n\n", " ", " ", "3", "\r\n\r\n")),
            new Case("\u0663\u0664 x\u00b2 \u216b \uff11\uff12\uff13\uff14",
                    List.of("\u0663\u0664", " x", "\u00b2", " \u216b", " \uff11\uff12\uff13\uff14"),
                    List.of("\u0663", "\u0664", " x", "\u00b2", " ", "\u216b", " ", "\uff11", "\uff12", "\uff13",
                            "\uff14"),
                    List.of("\u0663\u0664", " x", "\u00b2", " ", "\u216b", " ", "\uff11\uff12\uff13", "\uff14")),
            new Case("cafe\u0301 na\u0308ive",
                    List.of("cafe", "\u0301", " na", "\u0308", "ive"),
                    List.of("cafe", "\u0301", " na", "\u0308", "ive"),
                    List.of("cafe", "\u0301", " na", "\u0308ive")),
            new Case("end   ",
                    List.of("end", "   "),
                    List.of("end", "   "),
                    List.of("end", "   ")),
            new Case("\t\t\tindent\n\t\tx",
                    List.of("\t\t", "\t", "indent", "\n\t", "\t", "x"),
                    List.of("\t\t", "\t", "indent", "\n\t", "\t", "x"),
                    List.of("\t\t", "\tindent", "\n", "\t", "\tx")));

    private static List<String> split(PreTokenizer pre, String text) {
        List<String> out = new ArrayList<>();
        pre.split(text, out);
        return out;
    }

    private static List<String> alphabet(List<String> pieces) {
        return pieces.stream().map(ByteLevel::toAlphabet).toList();
    }

    /** The pre-tokenizer of a tokenizer.json, read as the tokenizer reads it. */
    private static PreTokenizer filePreTokenizer(Path file) {
        return PreTokenizer.parse(ReferenceCases.json(file).get("pre_tokenizer"), file);
    }

    @Test
    void byteLevelSplitsWithGpt2sRegex() {
        PreTokenizer byteLevel = new ByteLevel(false, true);
        for (Case c : CASES) {
            assertEquals(alphabet(c.gpt2()), split(byteLevel, c.text()), c.text());
        }
    }

    @Test
    void digitsThenByteLevel() {
        PreTokenizer smollm2 = filePreTokenizer(TestData.fixture("tokenizer-bytelevel/smollm2-digits/tokenizer.json"));
        for (Case c : CASES) {
            assertEquals(alphabet(c.digits()), split(smollm2, c.text()), c.text());
        }
    }

    @Test
    void llama3SplitThenByteLevelWithoutRegex() {
        PreTokenizer llama3 = filePreTokenizer(LLAMA3);
        for (Case c : CASES) {
            assertEquals(alphabet(c.llama3()), split(llama3, c.text()), c.text());
        }
    }

    @Test
    void byteLevelPrefixSpaceAndAlphabet() {
        assertEquals(List.of("Ġhello", "Ġworld"), split(new ByteLevel(true, true), "hello world"));
        assertEquals(List.of("Ġhello"), split(new ByteLevel(true, true), " hello"));
        assertEquals(List.of("ĠhelloĠworld!Ċ"), split(new ByteLevel(true, false), "hello world!\n"));
        assertEquals("ÃŃ", ByteLevel.toAlphabet("í"));
        assertEquals("ðŁĺĢ", ByteLevel.toAlphabet("\ud83d\ude00"));
        assertEquals("hello world!\n\u00ed\ud83d\ude00",
                ByteLevel.decode(List.of("hello", "Ġworld!Ċ", "Ã", "Ń", "ðŁĺĢ")));
        // A token outside the alphabet (an added token with a space) decodes as its own text.
        assertEquals("a<my token>b", ByteLevel.decode(List.of("a", "<my token>", "b")));
    }

    /** The behaviours of tokenizers' split.rs test: a word regex, inverted, on "How are you doing?". */
    @Test
    void splitDelimiterBehaviours() {
        Pattern words = Pattern.compile("\\w+|[^\\w\\s]+");
        String text = "How are you doing?";
        assertEquals(List.of("How", "are", "you", "doing", "?"),
                split(new SplitPreTokenizer(words, SplitDelimiterBehavior.REMOVED, true), text));
        assertEquals(List.of("How", " ", "are", " ", "you", " ", "doing", "?"),
                split(new SplitPreTokenizer(words, SplitDelimiterBehavior.ISOLATED, true), text));
        assertEquals(List.of("How ", "are ", "you ", "doing", "?"),
                split(new SplitPreTokenizer(words, SplitDelimiterBehavior.MERGED_WITH_PREVIOUS, true), text));
        assertEquals(List.of("How", " are", " you", " doing", "?"),
                split(new SplitPreTokenizer(words, SplitDelimiterBehavior.MERGED_WITH_NEXT, true), text));
        assertEquals(List.of("How", " ", "are", " ", "you", " ", "doing?"),
                split(new SplitPreTokenizer(words, SplitDelimiterBehavior.CONTIGUOUS, true), text));
        assertEquals(List.of("a", "123", "b", "4"), split(new DigitsPreTokenizer(false), "a123b4"));
        assertEquals(List.of("a", "1", "2", "3", "b", "4"), split(new DigitsPreTokenizer(true), "a123b4"));
        assertEquals(List.of("\u0663\u0664\u00b2", "x", "\ud835\udfd9"),
                split(new DigitsPreTokenizer(false), "\u0663\u0664\u00b2x\ud835\udfd9"));
    }

    @Test
    void unsupportedOrBrokenPreTokenizersAreRefused() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Path file = Path.of("tokenizer.json");
        JsonNode metaspace = mapper.readTree("{\"type\": \"Metaspace\"}");
        TokenizerException e = assertThrows(TokenizerException.class, () -> PreTokenizer.parse(metaspace, file));
        assertTrue(e.getMessage().contains("Metaspace"), e.getMessage());
        JsonNode badRegex = mapper.readTree("{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(a\"},"
                + " \"behavior\": \"Isolated\", \"invert\": false}");
        e = assertThrows(TokenizerException.class, () -> PreTokenizer.parse(badRegex, file));
        assertTrue(e.getMessage().contains("(a"), e.getMessage());
        JsonNode badBehavior = mapper.readTree("{\"type\": \"Split\", \"pattern\": {\"String\": \" \"},"
                + " \"behavior\": \"Sideways\", \"invert\": false}");
        e = assertThrows(TokenizerException.class, () -> PreTokenizer.parse(badBehavior, file));
        assertTrue(e.getMessage().contains("Sideways"), e.getMessage());
    }
}
