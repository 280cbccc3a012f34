package dev.idefics4j.processor;

import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.jinja.TemplateException;
import dev.idefics4j.tokenizer.SpecialTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a checkpoint's template is found, what the template sees, and how a rendered conversation becomes items. */
class ChatTemplateTest {
    private static final String SMOLVLM = "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}"
            + "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
            + "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
            + "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n{% endfor %}"
            + "{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";
    private static final PromptItem CAT = PromptItem.image(ImageSource.file(Path.of("cat.png")));
    private static final PromptItem DOG = PromptItem.image(ImageSource.file(Path.of("dog.png")));

    @TempDir
    Path dir;

    private void write(String file, String content) throws IOException {
        Files.writeString(dir.resolve(file), content);
    }

    private static String json(String template) {
        return "{\"chat_template\": \"" + template.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                + "\"}";
    }

    @Test
    void anEmptyTagIsASyntaxError() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.of("a{%%}b", "t.jinja"));
        assertTrue(e.getMessage().contains("t.jinja") && e.getMessage().contains("syntax error"), e.getMessage());
    }

    @Test
    void precedenceIsChatTemplateThenProcessorThenTokenizer() throws IOException {
        write("tokenizer_config.json", json("tokenizer"));
        assertEquals("tokenizer", ChatTemplate.find(dir).orElseThrow().source());
        write("processor_config.json", json("processor"));
        assertEquals("processor", ChatTemplate.find(dir).orElseThrow().source());
        write("chat_template.json", json("chat_template.json"));
        assertEquals("chat_template.json", ChatTemplate.find(dir).orElseThrow().source());
        assertEquals(dir.resolve("chat_template.json") + " (chat_template)",
                ChatTemplate.find(dir).orElseThrow().origin());
        write("chat_template.jinja", "jinja file\n");
        assertEquals("jinja file\n", ChatTemplate.find(dir).orElseThrow().source());
    }

    @Test
    void nullOrMissingChatTemplateFieldsAreSkipped() throws IOException {
        write("processor_config.json", "{\"chat_template\": null, \"image_seq_len\": 64}");
        write("tokenizer_config.json", "{\"bos_token\": \"<s>\"}");
        assertTrue(ChatTemplate.find(dir).isEmpty());
    }

    @Test
    void namedTemplatesOfTheTokenizerGiveTheDefault() throws IOException {
        write("tokenizer_config.json", "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"tools\"}, "
                + "{\"name\": \"default\", \"template\": \"plain\"}]}");
        assertEquals("plain", ChatTemplate.find(dir).orElseThrow().source());
        write("tokenizer_config.json", "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"tools\"}]}");
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.find(dir));
        assertEquals(dir.resolve("tokenizer_config.json") + ": chat_template lists named templates but none named "
                + "\"default\"", e.getMessage());
    }

    @Test
    void badFilesNameTheFile() throws IOException {
        write("chat_template.json", "{\"chat_template\": ");
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.find(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("chat_template.json") + ": not valid JSON: "), e.getMessage());
        write("chat_template.json", "{\"chat_template\": 3}");
        e = assertThrows(TemplateException.class, () -> ChatTemplate.find(dir));
        assertEquals(dir.resolve("chat_template.json") + ": chat_template must be a string, not NUMBER",
                e.getMessage());
        write("chat_template.json", json("{% if add_generation_prompt %}Assistant:"));
        e = assertThrows(TemplateException.class, () -> ChatTemplate.find(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("chat_template.json") + " (chat_template): chat template "
                + "syntax error at line 1: "), e.getMessage());
    }

    /** transformers passes the tokenizer's special tokens that are set, and the caller's variables over them. */
    @Test
    void templateSeesSpecialTokensAndVariables() {
        ChatTemplate t = ChatTemplate.of("{{ bos_token }}|{{ eos_token }}|{{ unk_token }}|{{ pad_token is defined }}|"
                + "{{ additional_special_tokens }}|{{ tools is none }}|{{ documents is none }}|{{ date_string }}",
                "test");
        SpecialTokens tokens = new SpecialTokens("<s>", "</s>", "<unk>", null, List.of("<image>"));
        assertEquals("<s>|</s>|<unk>|False|['<image>']|True|True|26 Jul 2024",
                t.render(List.of(), false, tokens, Map.of("date_string", "26 Jul 2024")));
        assertEquals("<S>|</s>|<unk>|False|['<image>']|True|True|",
                t.render(List.of(), false, tokens, Map.of("bos_token", "<S>")));
        assertThrows(IllegalArgumentException.class, () -> t.render(List.of(), false, tokens,
                Map.of("messages", List.of())));
    }

    @Test
    void promptSplitsAtImageTokensWithTheImagesInOrder() {
        ChatTemplate t = ChatTemplate.of(SMOLVLM, "smolvlm");
        List<ChatMessage> chat = List.of(
                ChatMessage.system("Be brief."),
                ChatMessage.user(List.of(CAT, PromptItem.text("and"), DOG, PromptItem.text("?"))),
                ChatMessage.assistant("A cat and a dog."),
                ChatMessage.user(List.of(PromptItem.text("Which is older?"))));
        assertEquals(List.of(
                PromptItem.text("<|im_start|>System: Be brief.<end_of_utterance>\nUser:"), CAT, PromptItem.text("and"),
                DOG, PromptItem.text("?<end_of_utterance>\nAssistant: A cat and a dog.<end_of_utterance>\n"
                        + "User: Which is older?<end_of_utterance>\nAssistant:")),
                t.prompt(chat, true, null));
    }

    @Test
    void adjacentImagesLeaveNoEmptyText() {
        assertEquals(List.of(CAT, DOG),
                ChatTemplate.splitAtImages("<image><image>", List.of(CAT, DOG), PromptItem::text, "t"));
    }

    @Test
    void imageTokensMustMatchTheImages() {
        ChatTemplate t = ChatTemplate.of(SMOLVLM, "smolvlm");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.prompt(
                List.of(ChatMessage.user(List.of(PromptItem.text("what is <image>?"), CAT))), true, null));
        assertEquals("the conversation has 1 image(s) but the prompt rendered by smolvlm has 2 <image> token(s); "
                + "a message text may not spell <image> itself", e.getMessage());
        ChatTemplate textOnly = ChatTemplate.of("{% for m in messages %}{{ m.role }}{% endfor %}", "text-only");
        e = assertThrows(IllegalArgumentException.class, () -> textOnly.prompt(
                List.of(ChatMessage.user(List.of(CAT))), true, null));
        assertEquals("the conversation has 1 image(s) but the prompt rendered by text-only has 0 <image> token(s); "
                + "a message text may not spell <image> itself", e.getMessage());
    }

    @Test
    void messagesKeepPythonDictOrder() {
        ChatTemplate t = ChatTemplate.of("{{ messages | tojson }}", "t");
        assertEquals("[{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"hi\"}, "
                        + "{\"type\": \"image\"}]}]",
                t.render(List.of(ChatMessage.user(List.of(PromptItem.text("hi"), CAT))), false, null));
    }
}
