package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tokenizer parts of the model references: the processor's prompt strings tokenized and padded as
 * {@code processor.json} shows (both flavours encode alike), and the slow decodes of {@code processor.json} and of the
 * generated sequences of {@code generate.json} (random-looking tokens, byte pieces, padding and added tokens).
 */
class ModelReferenceTest {
    private static final List<String> MODELS = List.of("tiny", "tiny-80b-style", "tiny-noresampler");

    /** (model/case, model, flavour, case) for every processor case, both flavours. */
    static Stream<Arguments> processorCases() {
        List<Arguments> out = new ArrayList<>();
        for (String model : MODELS) {
            for (JsonNode c : ReferenceCases.json(TestData.reference(model + "/processor.json")).get("cases")) {
                for (Flavor flavor : Tokenizers.flavors(TestData.model(model))) {
                    out.add(Arguments.of(model + "/" + c.get("id").asText(), model, flavor, c));
                }
            }
        }
        return out.stream();
    }

    /** (model/case, model, case) for every generate case. */
    static Stream<Arguments> generateCases() {
        return ReferenceCases.modelCases(MODELS, "generate.json", "cases");
    }

    @ParameterizedTest(name = "{2} {0}")
    @MethodSource("processorCases")
    void tokenizesProcessorPrompts(String name, String model, Flavor flavor, JsonNode c) {
        Tokenizer tok = ReferenceCases.tokenizer(TestData.model(model), flavor);
        JsonNode kwargs = c.get("call").get("kwargs");
        // The IDEFICS processor calls tokenizer(prompts, add_special_tokens=False, padding=..., max_length=...).
        EncodeOptions options = new EncodeOptions(false,
                kwargs.path("padding").asText("longest").equals("max_length") ? Padding.MAX_LENGTH : Padding.LONGEST,
                false, kwargs.path("max_length").asInt(EncodeOptions.UNSET));
        BatchEncoding enc = tok.encodeBatch(ReferenceCases.strings(c.get("prompt_strings")), options);
        assertArrayEquals(ReferenceCases.intRows(c.get("input_ids")), enc.inputIds(), name + " input_ids");
        assertArrayEquals(ReferenceCases.intRows(c.get("attention_mask")), enc.attentionMask(), name + " attention_mask");
        if (flavor == Flavor.SENTENCEPIECE) {
            assertEquals(ReferenceCases.strings(c.get("decoded")), tok.batchDecode(enc.inputIds(), false), name + " decoded");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generateCases")
    void decodesGeneratedSequences(String name, String model, JsonNode c) {
        Tokenizer tok = ReferenceCases.tokenizer(TestData.model(model), Flavor.SENTENCEPIECE);
        int[][] sequences = ReferenceCases.intRows(c.get("sequences"));
        int[][] newTokens = ReferenceCases.intRows(c.get("new_tokens"));
        assertEquals(ReferenceCases.strings(c.get("text_full")), tok.batchDecode(sequences, false), name + " text_full");
        assertEquals(ReferenceCases.strings(c.get("text_full_skip_special")), tok.batchDecode(sequences, true),
                name + " text_full_skip_special");
        assertEquals(ReferenceCases.strings(c.get("text_new_skip_special")), tok.batchDecode(newTokens, true),
                name + " text_new_skip_special");
    }
}
