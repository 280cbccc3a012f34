package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Accessors the processor relies on, flavour selection, truncation, max-length padding and configuration options, for
 * both flavours of the LLaMA tokenizer. Expected ids are built from the reference cases by transformers' documented
 * rules.
 */
class TokenizerBehaviourTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> folders() {
        List<Arguments> out = new ArrayList<>();
        for (String set : List.of("instruct", "base")) {
            for (Flavor flavor : ReferenceCases.LLAMA_FLAVORS) {
                out.add(Arguments.of(set, flavor));
            }
        }
        return out.stream();
    }

    private static JsonNode referenceCase(String id) {
        for (JsonNode c : ReferenceCases.json(TestData.reference(ReferenceCases.SLOW_FILE)).get("cases").get("instruct")) {
            if (c.get("id").asText().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException(id);
    }

    @Test
    void loadPrefersTokenizerJsonAndFallsBackToTokenizerModel() {
        assertEquals(Flavor.TOKENIZER_JSON, Tokenizers.load(TestData.fixture("tokenizer")).flavor());
        TestFolders.copy(TestData.fixture("tokenizer"), tmp, "tokenizer.model");
        TestFolders.copy(TestData.fixture("tokenizer"), tmp, TestFolders.CONFIG_FILES);
        assertEquals(Flavor.SENTENCEPIECE, Tokenizers.load(tmp).flavor());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("folders")
    void accessors(String set, Flavor flavor) {
        Path dir = ReferenceCases.folder(set);
        Tokenizer tok = ReferenceCases.tokenizer(dir, flavor);
        JsonNode addedTokens = ReferenceCases.json(dir.resolve("added_tokens.json"));
        assertEquals(32000, tok.baseVocabSize());
        assertEquals(32000 + addedTokens.size(), tok.vocabSize());
        for (Iterator<Map.Entry<String, JsonNode>> it = addedTokens.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            assertEquals(e.getValue().asInt(), tok.tokenToId(e.getKey()));
            assertEquals(e.getKey(), tok.idToToken(e.getValue().asInt()));
            assertTrue(tok.isSpecialId(e.getValue().asInt()));
        }
        List<String> additional = ReferenceCases.strings(
                ReferenceCases.json(dir.resolve("special_tokens_map.json")).get("additional_special_tokens"));
        assertEquals(additional, tok.additionalSpecialTokens());
        // The processor's add_end_of_utterance_token default: true exactly for the instruct tokenizer.
        assertEquals(set.equals("instruct"), tok.additionalSpecialTokens().contains("<end_of_utterance>"));
        assertEquals(set.equals("instruct"), tok.findTokenId("<end_of_utterance>").isPresent());
        assertEquals(List.of(1, 2, 0, 0), List.of(tok.bosTokenId(), tok.eosTokenId(), tok.unkTokenId(), tok.padTokenId()));
        assertEquals(new SpecialTokens("<s>", "</s>", "<unk>", "<unk>", additional), tok.specialTokens());
        assertEquals(0, tok.tokenToId("no such token"));
        assertEquals(15043, tok.tokenToId("▁Hello"));
        assertFalse(tok.isSpecialId(15043));
        assertTrue(tok.isSpecialId(1));
        assertEquals(2048, tok.modelMaxLength());
        assertEquals(Side.LEFT, tok.paddingSide());
        assertEquals(Side.RIGHT, tok.truncationSide());
        assertEquals(1, tok.numSpecialTokensToAdd());
        assertEquals("", tok.decode(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {tok.vocabSize()}));
    }

    /** Truncation removes text tokens from the right and keeps BOS: {@code [bos] + ids[:max_length - 1]}. */
    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"SENTENCEPIECE", "TOKENIZER_JSON"})
    void truncationKeepsTheSpecialTokens(Flavor flavor) {
        Tokenizer tok = ReferenceCases.tokenizer(TestData.fixture("tokenizer"), flavor);
        JsonNode c = referenceCase("instruct-10");
        int[] text = ReferenceCases.ints(c.get("input_ids_no_special"));
        for (int max : new int[] {1, 2, 5, text.length + 1, text.length + 5}) {
            EncodeOptions options = EncodeOptions.defaults().withTruncation(true).withMaxLength(max);
            BatchEncoding enc = tok.encodeBatch(List.of(c.get("text").asText()), options);
            int[] expected = IntStream.concat(IntStream.of(1), Arrays.stream(text).limit(max - 1)).toArray();
            assertArrayEquals(expected, enc.inputIds()[0], "max_length " + max);
            assertArrayEquals(IntStream.generate(() -> 1).limit(expected.length).toArray(), enc.attentionMask()[0]);
            BatchEncoding plain = tok.encodeBatch(List.of(c.get("text").asText()), options.withAddSpecialTokens(false));
            assertArrayEquals(Arrays.stream(text).limit(max).toArray(), plain.inputIds()[0], "no specials, max_length " + max);
        }
        assertThrows(IllegalArgumentException.class, () -> tok.encodeBatch(List.of("x"),
                EncodeOptions.defaults().withTruncation(true).withMaxLength(0)));
    }

    /** {@code padding="max_length", truncation=True}: every row is exactly max_length, padded on the left with 0. */
    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"SENTENCEPIECE", "TOKENIZER_JSON"})
    void maxLengthPaddingWithTruncation(Flavor flavor) {
        Tokenizer tok = ReferenceCases.tokenizer(TestData.fixture("tokenizer"), flavor);
        JsonNode longCase = referenceCase("instruct-10");
        JsonNode shortCase = referenceCase("instruct-00");
        int max = 8;
        BatchEncoding enc = tok.encodeBatch(List.of(longCase.get("text").asText(), shortCase.get("text").asText()),
                EncodeOptions.defaults().withPadding(Padding.MAX_LENGTH).withTruncation(true).withMaxLength(max));
        int[] longIds = Arrays.copyOf(ReferenceCases.ints(longCase.get("input_ids")), max);
        int[] shortIds = ReferenceCases.ints(shortCase.get("input_ids"));
        int pad = max - shortIds.length;
        int[] shortPadded = IntStream.concat(IntStream.generate(() -> 0).limit(pad), Arrays.stream(shortIds)).toArray();
        int[] shortMask = IntStream.range(0, max).map(i -> i < pad ? 0 : 1).toArray();
        assertArrayEquals(new int[][] {longIds, shortPadded}, enc.inputIds());
        assertArrayEquals(new int[][] {IntStream.generate(() -> 1).limit(max).toArray(), shortMask}, enc.attentionMask());
    }

    /** add_eos_token from tokenizer_config.json appends EOS in both flavours (transformers' LlamaTokenizerFast too). */
    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"SENTENCEPIECE", "TOKENIZER_JSON"})
    void addEosTokenFromConfig(Flavor flavor) {
        TestFolders.copy(TestData.fixture("tokenizer"), tmp, TestFolders.CONFIG_FILES);
        TestFolders.copy(TestData.fixture("tokenizer"), tmp, flavor.fileName());
        TestFolders.editConfig(tmp, config -> config.put("add_eos_token", true));
        JsonNode c = referenceCase("instruct-01");
        int[] expected = IntStream.concat(Arrays.stream(ReferenceCases.ints(c.get("input_ids"))), IntStream.of(2)).toArray();
        assertArrayEquals(expected, Tokenizers.load(tmp, flavor).encode(c.get("text").asText()));
    }

    /**
     * Without tokenizer_config.json, transformers' legacy sources apply: special_tokens_map.json names the special
     * tokens and added_tokens.json the added ones (tokenizer.json's own post-processor adds BOS); every instruct case
     * still comes out the same.
     */
    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"SENTENCEPIECE", "TOKENIZER_JSON"})
    void folderWithoutTokenizerConfig(Flavor flavor) {
        TestFolders.copy(TestData.fixture("tokenizer"), tmp, flavor.fileName(), "special_tokens_map.json", "added_tokens.json");
        Tokenizer tok = Tokenizers.load(tmp, flavor);
        assertEquals(Integer.MAX_VALUE, tok.modelMaxLength());
        ReferenceCases.cases(false)
                .map(Arguments::get)
                .filter(a -> a[1] == flavor && a[2].equals("instruct"))
                .forEach(a -> ReferenceCases.assertSingleCase(tok, (JsonNode) a[3]));
    }

    /** Unpaired surrogates (no UTF-8 form) are tokenized as U+FFFD. */
    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"SENTENCEPIECE", "TOKENIZER_JSON"})
    void loneSurrogatesEncodeAsReplacementCharacter(Flavor flavor) {
        Tokenizer tok = ReferenceCases.tokenizer(TestData.fixture("tokenizer"), flavor);
        assertArrayEquals(tok.encode("a\uFFFDb\uFFFD"), tok.encode("a\uD800b\uDC00"));
        assertArrayEquals(tok.encode("\uD83D\uDE00"), tok.encode("\uD83D\uDE00"));
    }

    @ParameterizedTest
    @EnumSource(value = Flavor.class, names = {"SENTENCEPIECE", "TOKENIZER_JSON"})
    void paddingWithoutPadTokenIsRefused(Flavor flavor) {
        TestFolders.copy(TestData.fixture("tokenizer"), tmp, TestFolders.CONFIG_FILES);
        TestFolders.copy(TestData.fixture("tokenizer"), tmp, flavor.fileName());
        TestFolders.editConfig(tmp, config -> config.remove("pad_token"));
        Tokenizer tok = Tokenizers.load(tmp, flavor);
        assertEquals(-1, tok.padTokenId());
        assertThrows(IllegalStateException.class, () -> tok.encodeBatch(List.of("a", "a b c"),
                EncodeOptions.defaults().withPadding(Padding.LONGEST)));
    }
}
