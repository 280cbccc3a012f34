package dev.idefics4j.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.tokenizer.Tokenizer;
import dev.idefics4j.tokenizer.Tokenizers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The {@code chat_template_cases} of {@code reference/tiny-{idefics2,idefics3,smolvlm}/processor.json}: each
 * checkpoint's template found where transformers finds it and rendered exactly as
 * {@code processor.apply_chat_template(messages, add_generation_prompt=...)}; for Idefics2, whose tokenizer loads
 * today, the rendered text tokenized without special tokens as {@code tokenize=True} does.
 */
class ChatTemplateParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> MODELS = List.of("tiny-idefics2", "tiny-idefics3", "tiny-smolvlm");

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String model : MODELS) {
            for (JsonNode c : reference(model).get("chat_template_cases")) {
                b.add(Arguments.of(model, c.get("id").asText(), c));
            }
        }
        return b.build();
    }

    static Stream<Arguments> idefics2Cases() {
        return cases().filter(a -> a.get()[0].equals("tiny-idefics2"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void rendersAsTheReference(String model, String id, JsonNode c) {
        ChatTemplate template = ChatTemplate.find(TestData.model(model)).orElseThrow();
        List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), List.class);
        assertEquals(c.get("rendered").asText(),
                template.render(messages, c.get("add_generation_prompt").asBoolean(), null, Map.of()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("idefics2Cases")
    void tokenizesAsTheReference(String model, String id, JsonNode c) {
        Path dir = TestData.model(model);
        Tokenizer tokenizer = Tokenizers.load(dir);
        List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), List.class);
        String rendered = ChatTemplate.find(dir).orElseThrow()
                .render(messages, c.get("add_generation_prompt").asBoolean(), tokenizer.specialTokens(), Map.of());
        assertArrayEquals(ids(c.get("rendered_token_ids")), tokenizer.encode(rendered, false));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void tokenizesByteLevelCheckpointsAsTheReference(String model, String id, JsonNode c) {
        tokenizesAsTheReference(model, id, c);
    }

    /** Conversations built from items render the same, and split back into the same text around the images. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void conversationOfItemsGivesTheSamePrompt(String model, String id, JsonNode c) {
        List<ChatMessage> conversation = new ArrayList<>();
        List<PromptItem> images = new ArrayList<>();
        for (JsonNode m : c.get("messages")) {
            List<PromptItem> items = new ArrayList<>();
            for (JsonNode item : m.get("content")) {
                if (!item.isObject()) {
                    continue; // a bare string, which the template drops and a ChatMessage cannot hold
                }
                if (item.get("type").asText().equals("image")) {
                    PromptItem image = PromptItem.image(ImageSource.file(Path.of("image" + images.size() + ".png")));
                    images.add(image);
                    items.add(image);
                } else {
                    items.add(PromptItem.text(item.get("text").asText()));
                }
            }
            conversation.add(new ChatMessage(m.get("role").asText(), items));
        }
        ChatTemplate template = ChatTemplate.find(TestData.model(model)).orElseThrow();
        boolean generation = c.get("add_generation_prompt").asBoolean();
        String rendered = c.get("rendered").asText();
        assertEquals(rendered, template.render(conversation, generation, null));

        List<PromptItem> prompt = template.prompt(conversation, generation, null);
        StringBuilder text = new StringBuilder();
        int image = 0;
        for (PromptItem item : prompt) {
            if (item instanceof PromptItem.Text(String t)) {
                text.append(t);
            } else {
                assertSame(images.get(image++), item);
                text.append(ChatTemplate.IMAGE_TOKEN);
            }
        }
        assertEquals(images.size(), image);
        assertEquals(rendered, text.toString());
    }

    /** Idefics2 keeps its template in processor_config.json; Idefics3 and SmolVLM in chat_template.json. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-idefics2", "tiny-idefics3", "tiny-smolvlm"})
    void findsTheTemplateWhereTransformersLooks(String model) {
        String expected = model.equals("tiny-idefics2") ? "processor_config.json" : "chat_template.json";
        Path dir = TestData.model(model);
        assertEquals(dir.resolve(expected) + " (chat_template)", ChatTemplate.find(dir).orElseThrow().origin());
    }

    /** The processor case that replays a rendered conversation holds exactly this renderer's text. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-idefics2", "tiny-idefics3", "tiny-smolvlm"})
    void processorCaseHoldsTheRenderedConversation(String model) {
        JsonNode rendered = null;
        for (JsonNode c : reference(model).get("chat_template_cases")) {
            if (c.get("id").asText().equals("chat1_gen")) {
                rendered = c;
            }
        }
        JsonNode processorCase = ReferenceCase.cases(TestData.reference(model + "/processor.json"))
                .get("chat_template_prompt");
        List<Map<String, Object>> messages = JSON.convertValue(rendered.get("messages"), List.class);
        assertEquals(processorCase.get("call").get("text").get(0).asText(),
                ChatTemplate.find(TestData.model(model)).orElseThrow().render(messages, true, null, Map.of()));
    }

    private static JsonNode reference(String model) {
        return ReferenceCase.json(TestData.reference(model + "/processor.json"));
    }

    private static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
