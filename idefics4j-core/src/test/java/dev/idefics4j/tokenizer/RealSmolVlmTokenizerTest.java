package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published SmolVLM-256M-Instruct tokenizer (49152 BPE tokens, 145 added) against
 * {@code reference/real_smolvlm_tokenizer_cases.json} (the Rust tokenizers library): 321 strings encoded with and
 * without special tokens and decoded, and 100 id lists decoded, every field exact. Its slow files (vocab.json,
 * merges.txt) encode alike the strings without the two differences of the slow class, which are tested on their own.
 */
class RealSmolVlmTokenizerTest {
    private static final Path DIR = TestData.fixture("real/SmolVLM-256M-Instruct");
    private static final Path FILE = TestData.reference("real_smolvlm_tokenizer_cases.json");

    /** (index, case) for every case of a list of the reference file. */
    private static Stream<Arguments> indexed(String list) {
        JsonNode cases = ReferenceCases.json(FILE).get(list);
        return IntStream.range(0, cases.size()).mapToObj(i -> Arguments.of(i, cases.get(i)));
    }

    static Stream<Arguments> encodings() {
        return indexed("encodings");
    }

    static Stream<Arguments> decodes() {
        return indexed("decodes");
    }

    private static Tokenizer fast() {
        return ReferenceCases.tokenizer(DIR, Flavor.TOKENIZER_JSON);
    }

    @ParameterizedTest(name = "encodings[{0}]")
    @MethodSource("encodings")
    void encodesAndDecodesLikeTheRustLibrary(int index, JsonNode c) {
        Tokenizer tok = fast();
        String where = "encodings[" + index + "] ";
        String text = c.get("text").asText();
        int[] ids = tok.encode(text);
        int[] noSpecial = tok.encode(text, false);
        assertArrayEquals(ReferenceCases.ints(c.get("ids")), ids, where + "ids");
        assertArrayEquals(ReferenceCases.ints(c.get("ids_no_special")), noSpecial, where + "ids_no_special");
        assertEquals(ReferenceCases.strings(c.get("tokens")), tok.convertIdsToTokens(ids), where + "tokens");
        assertEquals(ReferenceCases.strings(c.get("tokens_no_special")), tok.convertIdsToTokens(noSpecial),
                where + "tokens_no_special");
        assertEquals(c.get("decode").asText(), tok.decode(ids), where + "decode");
        assertEquals(c.get("decode_skip_special").asText(), tok.decode(ids, true), where + "decode_skip_special");
        assertEquals(c.get("decode_no_special_ids").asText(), tok.decode(noSpecial), where + "decode_no_special_ids");
    }

    @ParameterizedTest(name = "decodes[{0}]")
    @MethodSource("decodes")
    void decodesIdListsLikeTheRustLibrary(int index, JsonNode c) {
        int[] ids = ReferenceCases.ints(c.get("ids"));
        assertEquals(c.get("decode").asText(), fast().decode(ids), "decodes[" + index + "] decode");
        assertEquals(c.get("decode_skip_special").asText(), fast().decode(ids, true),
                "decodes[" + index + "] decode_skip_special");
    }

    /**
     * The strings where the slow class's pre-tokenization and BPE agree with the Rust pipeline's: every byte has a token,
     * and no run of two or more whitespace characters precedes a digit.
     */
    static Stream<Arguments> encodingsWithoutSlowDifferences() {
        Tokenizer tok = fast();
        Pattern spacesBeforeDigit = Pattern.compile("\\s{2,}\\p{N}", Pattern.UNICODE_CHARACTER_CLASS);
        return encodings().filter(a -> {
            String text = ((JsonNode) a.get()[1]).get("text").asText();
            return !spacesBeforeDigit.matcher(text).find() && ByteLevel.toAlphabet(text).chars()
                    .allMatch(c -> tok.findTokenId(Character.toString(c)).isPresent());
        });
    }

    @ParameterizedTest(name = "encodings[{0}]")
    @MethodSource("encodingsWithoutSlowDifferences")
    void slowFilesEncodeAlike(int index, JsonNode c) {
        Tokenizer slow = ReferenceCases.tokenizer(DIR, Flavor.GPT2);
        String text = c.get("text").asText();
        assertArrayEquals(ReferenceCases.ints(c.get("ids_no_special")), slow.encode(text, false),
                "encodings[" + index + "]");
    }

    /**
     * Whitespace before a digit: the Rust pipeline isolates digits first, so the whole run is one piece ({@code ĠĠĠ},
     * {@code 2}); GPT-2's regex alone leaves the last space to the number ({@code ĠĠ}, {@code Ġ2}, which BPE cannot
     * merge since SmolLM2 has no digit merges).
     */
    @Test
    void whitespaceRunBeforeADigitSplitsDifferentlyInTheSlowClass() {
        Tokenizer slow = ReferenceCases.tokenizer(DIR, Flavor.GPT2);
        Tokenizer fast = fast();
        assertArrayEquals(new int[] {fast.tokenToId("ĠĠĠ"), fast.tokenToId("2")}, fast.encode("   2", false));
        assertArrayEquals(new int[] {fast.tokenToId("ĠĠ"), fast.tokenToId("Ġ"), fast.tokenToId("2")},
                slow.encode("   2", false));
        assertArrayEquals(new int[] {fast.tokenToId("ĊĊ"), fast.tokenToId("2")}, fast.encode("\n\n2", false));
        assertArrayEquals(new int[] {fast.tokenToId("Ċ"), fast.tokenToId("Ċ"), fast.tokenToId("2")},
                slow.encode("\n\n2", false));
    }

    /**
     * A byte without a token: the BPE model has no unk_token, so tokenizers drops it; GPT2Tokenizer's
     * {@code convert_tokens_to_ids} falls back on the unk token {@code <|endoftext|>}, which also keeps its neighbours
     * from merging.
     */
    @Test
    void byteWithoutTokenIsDroppedByTheRustModelAndUnknownToTheSlowClass() {
        Tokenizer slow = ReferenceCases.tokenizer(DIR, Flavor.GPT2);
        assertArrayEquals(new int[0], fast().encode("\u0004", false));
        assertArrayEquals(new int[] {0}, slow.encode("\u0004", false));
        int[] a = fast().encode("a", false);
        assertArrayEquals(new int[] {a[0], 0, a[0]}, slow.encode("a\u0004a", false));
    }

    /**
     * What transformers reads from the folder: eos {@code <end_of_utterance>} from tokenizer_config.json (its
     * special_tokens_map.json says {@code <|im_end|>}), no BOS added, right padding (GPT2Tokenizer's default).
     */
    @Test
    void specialTokensAsTransformersReadsThem() {
        for (Flavor flavor : List.of(Flavor.TOKENIZER_JSON, Flavor.GPT2)) {
            Tokenizer tok = ReferenceCases.tokenizer(DIR, flavor);
            assertEquals(List.of(1, 49279, 0, 2), List.of(tok.bosTokenId(), tok.eosTokenId(), tok.unkTokenId(),
                    tok.padTokenId()), flavor.toString());
            assertEquals(List.of("<fake_token_around_image>", "<image>", "<end_of_utterance>"),
                    tok.additionalSpecialTokens(), flavor.toString());
            assertEquals(49190, tok.tokenToId("<image>"));
            assertEquals(49152, tok.baseVocabSize(), flavor.toString());
            assertEquals(49280, tok.vocabSize(), flavor.toString());
            assertEquals(0, tok.numSpecialTokensToAdd(), flavor.toString());
            assertEquals(Side.RIGHT, tok.paddingSide(), flavor.toString());
            assertEquals(Side.LEFT, tok.truncationSide(), flavor.toString());
            assertEquals(8192, tok.modelMaxLength(), flavor.toString());
        }
        assertEquals(List.of(Flavor.TOKENIZER_JSON, Flavor.GPT2), Tokenizers.flavors(DIR));
        assertEquals(Flavor.TOKENIZER_JSON, Tokenizers.load(DIR).flavor());
    }
}
