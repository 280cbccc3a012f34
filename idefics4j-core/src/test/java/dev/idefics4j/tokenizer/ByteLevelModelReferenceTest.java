package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.model.idefics3.Idefics3Processor;
import dev.idefics4j.testing.TestData;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tokenizer parts of the tiny-idefics3 and tiny-smolvlm references (byte-level BPE): every prompt string of
 * {@code processor.json} and every chat-template rendering tokenized and padded as the reference shows, with both
 * flavours (tokenizer.json and the slow vocab.json + merges.txt); and the slow decodes the references hold:
 * {@code decoded_tokenizer} ({@code tokenizer.batch_decode}), {@code decoded} and the text fields of
 * {@code generate.json} ({@code processor.batch_decode}, which also folds the tile tags back into {@code <image>}).
 */
class ByteLevelModelReferenceTest {
    private static final List<String> MODELS = List.of("tiny-idefics3", "tiny-smolvlm");
    private static final List<Flavor> FLAVORS = List.of(Flavor.TOKENIZER_JSON, Flavor.GPT2);

    /** (model/case, model, flavour, case) for every case of a list of processor.json, each flavour. */
    private static Stream<Arguments> processorFileCases(String list, List<Flavor> flavors) {
        return ReferenceCases.modelCases(MODELS, "processor.json", list).flatMap(a -> flavors.stream()
                .map(flavor -> Arguments.of(a.get()[0], a.get()[1], flavor, a.get()[2])));
    }

    static Stream<Arguments> processorCases() {
        return processorFileCases("cases", FLAVORS);
    }

    static Stream<Arguments> slowProcessorCases() {
        return processorFileCases("cases", List.of(Flavor.GPT2));
    }

    static Stream<Arguments> chatTemplateCases() {
        return processorFileCases("chat_template_cases", FLAVORS);
    }

    static Stream<Arguments> generateCases() {
        return ReferenceCases.modelCases(MODELS, "generate.json", "cases");
    }

    private static Tokenizer tokenizer(String model, Flavor flavor) {
        return ReferenceCases.tokenizer(TestData.model(model), flavor);
    }

    /** transformers' {@code Idefics3Processor.batch_decode}: the tokenizer's, then the tile tags folded. */
    private static List<String> processorBatchDecode(Tokenizer tok, int[][] ids, boolean skipSpecialTokens) {
        return tok.batchDecode(ids, skipSpecialTokens).stream().map(Idefics3Processor::foldTileTags).toList();
    }

    @ParameterizedTest(name = "{2} {0}")
    @MethodSource("processorCases")
    void tokenizesProcessorPrompts(String name, String model, Flavor flavor, JsonNode c) {
        Tokenizer tok = tokenizer(model, flavor);
        JsonNode kwargs = c.get("call").get("kwargs");
        // Idefics3Processor calls tokenizer(prompt_strings, add_special_tokens=True, padding=False, **text kwargs).
        JsonNode padding = kwargs.path("padding");
        EncodeOptions options = new EncodeOptions(kwargs.path("add_special_tokens").asBoolean(true),
                padding.asText().equals("max_length") ? Padding.MAX_LENGTH
                        : padding.asBoolean(false) ? Padding.LONGEST : Padding.NONE,
                false, kwargs.path("max_length").asInt(EncodeOptions.UNSET));
        BatchEncoding enc = tok.encodeBatch(ReferenceCases.strings(c.get("prompt_strings")), options);
        assertArrayEquals(ReferenceCases.intRows(c.get("input_ids")), enc.inputIds(), name + " input_ids");
        assertArrayEquals(ReferenceCases.intRows(c.get("attention_mask")), enc.attentionMask(), name + " attention_mask");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slowProcessorCases")
    void slowDecodesOfProcessorInputs(String name, String model, Flavor flavor, JsonNode c) {
        Tokenizer tok = tokenizer(model, flavor);
        int[][] ids = ReferenceCases.intRows(c.get("input_ids"));
        assertEquals(ReferenceCases.strings(c.get("decoded_tokenizer")), tok.batchDecode(ids, false),
                name + " decoded_tokenizer");
        assertEquals(ReferenceCases.strings(c.get("decoded")), processorBatchDecode(tok, ids, false), name + " decoded");
    }

    @ParameterizedTest(name = "{2} {0}")
    @MethodSource("chatTemplateCases")
    void tokenizesChatTemplateRenderings(String name, String model, Flavor flavor, JsonNode c) {
        assertArrayEquals(ReferenceCases.ints(c.get("rendered_token_ids")),
                tokenizer(model, flavor).encode(c.get("rendered").asText(), false), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generateCases")
    void slowDecodesOfGeneratedSequences(String name, String model, JsonNode c) {
        Tokenizer tok = tokenizer(model, Flavor.GPT2);
        int[][] sequences = ReferenceCases.intRows(c.get("sequences"));
        int[][] newTokens = ReferenceCases.intRows(c.get("new_tokens"));
        assertEquals(ReferenceCases.strings(c.get("text_full")), processorBatchDecode(tok, sequences, false),
                name + " text_full");
        assertEquals(ReferenceCases.strings(c.get("text_full_skip_special")), processorBatchDecode(tok, sequences, true),
                name + " text_full_skip_special");
        assertEquals(ReferenceCases.strings(c.get("text_new")), processorBatchDecode(tok, newTokens, false),
                name + " text_new");
        assertEquals(ReferenceCases.strings(c.get("text_new_skip_special")), processorBatchDecode(tok, newTokens, true),
                name + " text_new_skip_special");
    }

    /** The special tokens and options the references were made with ({@code processor.json}'s top level). */
    @Test
    void specialTokensAsTheReferencesSay() {
        for (String model : MODELS) {
            JsonNode ref = ReferenceCases.json(TestData.reference(model + "/processor.json"));
            for (Flavor flavor : FLAVORS) {
                Tokenizer tok = tokenizer(model, flavor);
                String where = model + " " + flavor;
                assertEquals(ref.get("bos_token").asText(), tok.specialTokens().bos(), where);
                assertEquals(ref.get("eos_token").asText(), tok.specialTokens().eos(), where);
                assertEquals(ref.get("pad_token").asText(), tok.specialTokens().pad(), where);
                assertEquals(ref.get("pad_token_id").asInt(), tok.padTokenId(), where);
                assertEquals(Side.LEFT, tok.paddingSide(), where);
                ref.get("special_ids").fields().forEachRemaining(e ->
                        assertEquals(e.getValue().asInt(), tok.tokenToId(e.getKey()), where + " " + e.getKey()));
            }
        }
    }
}
