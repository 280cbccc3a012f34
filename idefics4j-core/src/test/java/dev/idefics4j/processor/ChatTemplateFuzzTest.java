package dev.idefics4j.processor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.processor.jinja.TemplateException;
import dev.idefics4j.testing.FuzzTarget;
import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.ParserFuzzTest;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/** Mutated chat templates render a conversation or fail with a TemplateException (or IllegalArgumentException). */
class ChatTemplateFuzzTest {
    private static final SpecialTokens TOKENS = new SpecialTokens("<s>", "</s>", "<unk>", null, List.of("<image>"));
    private static final List<ChatMessage> CONVERSATION = List.of(ChatMessage.system("Be brief."),
            ChatMessage.user(List.of(PromptItem.image("cat.png"), PromptItem.text("What is this?"))),
            ChatMessage.assistant("A cat."),
            ChatMessage.user(List.of(PromptItem.text("Sure?"))));

    private static final FuzzTarget TARGET = FuzzTarget.of("chat-template",
            bytes -> ChatTemplate.of(new String(bytes, StandardCharsets.UTF_8), "fuzz")
                    .render(CONVERSATION, true, TOKENS),
            TemplateException.class, IllegalArgumentException.class);

    static List<byte[]> seeds() throws IOException {
        String template = new ObjectMapper().readTree(TestData.model("tiny-idefics3").resolve("chat_template.json")
                .toFile()).get("chat_template").asText();
        return List.of(MutationFuzzer.utf8(template), MutationFuzzer.utf8(
                "{% for m in messages %}{% if m.role == 'system' %}{{ m.content[0].text | trim }}{% endif %}"
                        + "{{ bos_token ~ m['role'] | upper }}{% set n = m.content | length %}{{ n * 2 }}"
                        + "{% for c in m.content %}{{ c.text if c.type == 'text' else '<image>' }}{% endfor %}"
                        + "{% if loop.last %}{{ eos_token }}{% endif %}{% endfor %}"
                        + "{% if add_generation_prompt %}{{ raise_exception('no') if false else 'Assistant:' }}"
                        + "{% endif %}{{ messages[0]['content'][1:] | tojson }}{{ range(3) | join(',') }}"));
    }

    @MethodSource("seeds")
    @ParserFuzzTest
    void chatTemplate(byte[] input) throws Exception {
        TARGET.accept(input);
    }

    @Test
    void mutatedTemplatesRenderOrFailWithATemplateException() throws IOException {
        MutationFuzzer.run(TARGET, seeds(), 1500);
    }
}
