package dev.idefics4j.processor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.processor.jinja.TemplateException;
import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mutated chat templates render a conversation or fail with a TemplateException (or IllegalArgumentException). */
class ChatTemplateFuzzTest {
    @Test
    void mutatedTemplatesRenderOrFailWithATemplateException() throws IOException {
        String template = new ObjectMapper().readTree(TestData.model("tiny-idefics3").resolve("chat_template.json")
                .toFile()).get("chat_template").asText();
        List<byte[]> seeds = List.of(MutationFuzzer.utf8(template), MutationFuzzer.utf8(
                "{% for m in messages %}{% if m.role == 'system' %}{{ m.content[0].text | trim }}{% endif %}"
                        + "{{ bos_token ~ m['role'] | upper }}{% set n = m.content | length %}{{ n * 2 }}"
                        + "{% for c in m.content %}{{ c.text if c.type == 'text' else '<image>' }}{% endfor %}"
                        + "{% if loop.last %}{{ eos_token }}{% endif %}{% endfor %}"
                        + "{% if add_generation_prompt %}{{ raise_exception('no') if false else 'Assistant:' }}"
                        + "{% endif %}{{ messages[0]['content'][1:] | tojson }}{{ range(3) | join(',') }}"));
        SpecialTokens tokens = new SpecialTokens("<s>", "</s>", "<unk>", null, List.of("<image>"));
        List<ChatMessage> conversation = List.of(ChatMessage.system("Be brief."),
                ChatMessage.user(List.of(PromptItem.image("cat.png"), PromptItem.text("What is this?"))),
                ChatMessage.assistant("A cat."),
                ChatMessage.user(List.of(PromptItem.text("Sure?"))));
        MutationFuzzer.of("chat-template", seeds, TemplateException.class, IllegalArgumentException.class)
                .run(1500, bytes -> ChatTemplate.of(new String(bytes, StandardCharsets.UTF_8), "fuzz")
                        .render(conversation, true, tokens));
    }
}
