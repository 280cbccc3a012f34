package dev.idefics4j.processor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.tokenizer.Flavor;
import dev.idefics4j.tokenizer.Tokenizers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replays every case of {@code reference/<model>/processor.json} with both tokenizer flavours. */
class ProcessorParityTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String model : new String[]{"tiny", "tiny-80b-style", "tiny-noresampler"}) {
            for (String id : ReferenceCase.cases(TestData.reference(model + "/processor.json")).keySet()) {
                for (Flavor flavor : Tokenizers.flavors(TestData.model(model))) {
                    b.add(Arguments.of(model, id, flavor));
                }
            }
        }
        return b.build();
    }

    /** The reference call's prompts as items (images by fixture path). */
    static List<List<PromptItem>> prompts(JsonNode call) {
        Path fixtures = TestData.fixtures();
        JsonNode text = call.get("text");
        List<List<PromptItem>> out = new ArrayList<>();
        if (call.get("api").asText().equals("images+text")) {
            JsonNode images = call.get("images");
            for (int i = 0; i < images.size(); i++) {
                out.add(List.of(PromptItem.image(ImageSource.file(fixtures.resolve(images.get(i).asText()))),
                        PromptItem.text(text.get(i).asText())));
            }
            return out;
        }
        if (text.isTextual()) {
            // text="a string" is iterated character by character by the reference: one item per character.
            List<PromptItem> chars = new ArrayList<>();
            text.asText().codePoints().forEach(cp -> chars.add(PromptItem.text(Character.toString(cp))));
            out.add(chars);
            return out;
        }
        boolean batched = text.get(0).isArray();
        for (JsonNode sample : batched ? text : List.of(text)) {
            List<PromptItem> items = new ArrayList<>();
            for (JsonNode item : sample) {
                items.add(item.has("image")
                        ? PromptItem.image(ImageSource.file(fixtures.resolve(item.get("image").asText())))
                        : PromptItem.text(item.get("text").asText()));
            }
            out.add(items);
        }
        return out;
    }

    static ProcessorOptions options(JsonNode kwargs) {
        ProcessorOptions o = ProcessorOptions.DEFAULTS;
        if (kwargs.has("max_length")) {
            o = o.withMaxLength(kwargs.get("max_length").asInt());
        }
        if (kwargs.has("padding")) {
            o = o.withPadding(ProcessorOptions.parsePadding(kwargs.get("padding").asText()));
        }
        if (kwargs.has("truncation")) {
            o = o.withTruncation(kwargs.get("truncation").asBoolean());
        }
        if (kwargs.has("add_eos_token")) {
            o = o.withAddEosToken(kwargs.get("add_eos_token").asBoolean());
        }
        if (kwargs.has("add_end_of_utterance_token")) {
            o = o.withAddEndOfUtteranceToken(kwargs.get("add_end_of_utterance_token").asBoolean());
        }
        return o;
    }

    @ParameterizedTest(name = "{0} processor.json#{1} ({2})")
    @MethodSource("cases")
    void processorMatchesReference(String model, String caseId, Flavor flavor) {
        Path refDir = TestData.reference(model);
        JsonNode c = ReferenceCase.cases(refDir.resolve("processor.json")).get(caseId);
        IdeficsProcessor processor = IdeficsProcessor.fromCheckpoint(TestData.model(model), flavor, new ImageLoader());
        ModelInputs in = processor.process(prompts(c.get("call")), options(c.get("call").get("kwargs")));

        assertEquals(ReferenceCase.strings(c.get("prompt_strings")), in.promptStrings(), "prompt_strings");
        int[][] ids = ReferenceCase.intMatrix(c.get("input_ids"));
        assertEquals(ids.length, in.inputIds().length);
        for (int b = 0; b < ids.length; b++) {
            assertArrayEquals(ids[b], in.inputIds()[b], "input_ids row " + b);
            assertArrayEquals(ReferenceCase.intMatrix(c.get("attention_mask"))[b], in.attentionMask()[b],
                    "attention_mask row " + b);
            int[][] mask = ReferenceCase.intMatrix(c.get("image_attention_mask").get(b));
            for (int t = 0; t < mask.length; t++) {
                assertArrayEquals(mask[t], in.imageAttentionMask()[b][t], "image_attention_mask row " + b + " token " + t);
            }
        }
        JsonNode pv = c.get("pixel_values");
        assertEquals(ReferenceCase.shape(pv)[1], in.maxImages(), "images per row");
        float[] expected = ReferenceCase.floats(refDir, pv);
        assertEquals(expected.length, in.pixelValues().length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - in.pixelValues()[i]));
        }
        assertTrue(worst <= 1e-6, "pixel_values max abs diff " + worst);
        if (flavor.slow()) { // the reference decoded with the slow tokenizer
            assertEquals(ReferenceCase.strings(c.get("decoded")),
                    processor.tokenizer().batchDecode(in.inputIds(), false), "decoded");
        }
    }
}
