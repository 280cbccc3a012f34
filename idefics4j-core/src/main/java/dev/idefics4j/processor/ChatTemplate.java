package dev.idefics4j.processor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.processor.jinja.JinjaTemplate;
import dev.idefics4j.processor.jinja.TemplateException;
import dev.idefics4j.tokenizer.SpecialTokens;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A checkpoint's chat template: the Jinja template that turns a conversation into the model's prompt text, rendered
 * as transformers' {@code apply_chat_template(messages, add_generation_prompt=..., tokenize=False)} renders it
 * ({@link JinjaTemplate} has the engine and its limits). The rendered text is then tokenized without adding special
 * tokens ({@code tokenize=True}), or handed to the processor with the images, which adds them: Idefics3's template
 * writes {@code <|begin_of_text|>} and the processor's tokenizer adds another, as with the reference.
 */
public final class ChatTemplate {
    /** The image placeholder the Idefics2 and Idefics3 templates write for a {@code {"type": "image"}} item. */
    public static final String IMAGE_TOKEN = "<image>";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> RESERVED = List.of("messages", "tools", "documents", "add_generation_prompt");

    private final JinjaTemplate template;

    private ChatTemplate(JinjaTemplate template) {
        this.template = template;
    }

    /**
     * Parses a template.
     *
     * @param origin where it comes from (a file), named in every error
     * @throws TemplateException when it does not parse
     */
    public static ChatTemplate of(String source, String origin) {
        return new ChatTemplate(JinjaTemplate.compile(source, origin));
    }

    /**
     * The chat template of a checkpoint folder, found where transformers 4.46's processor finds it: the
     * {@code chat_template} of {@code chat_template.json}, else that of {@code processor_config.json} (Idefics2 keeps
     * it there; transformers warns and uses it). Where neither has one, the tokenizer's: the {@code chat_template} of
     * {@code tokenizer_config.json}, a string or a list of named templates of which the one named {@code default}
     * ({@code tokenizer.apply_chat_template}; the 4.46 processor itself would refuse). A {@code chat_template.jinja}
     * file, which later transformers releases write instead, comes before all of them.
     *
     * @return empty when the folder has no chat template
     * @throws TemplateException when a file is not valid JSON, its {@code chat_template} is not a template, or the
     *                           template does not parse
     */
    public static Optional<ChatTemplate> find(Path dir) {
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            return Optional.of(of(read(jinja), jinja.toString()));
        }
        for (String file : List.of("chat_template.json", "processor_config.json", "tokenizer_config.json")) {
            Path path = dir.resolve(file);
            if (!Files.isRegularFile(path)) {
                continue;
            }
            JsonNode template = parse(path).get("chat_template");
            if (template == null || template.isNull()) {
                continue;
            }
            return Optional.of(of(source(template, path), path + " (chat_template)"));
        }
        return Optional.empty();
    }

    public String source() {
        return template.source();
    }

    /** Where the template came from. */
    public String origin() {
        return template.origin();
    }

    /**
     * Renders messages given as transformers takes them (maps with {@code role} and {@code content}, the content a
     * string or a list of items such as {@code {"type": "text", "text": ...}} and {@code {"type": "image"}}).
     *
     * @param specialTokens the tokenizer's special tokens, which transformers passes to every template
     *                      ({@code bos_token}, {@code eos_token}, ...); null for none
     * @param variables     further variables for the template (transformers' {@code **kwargs}); they win over a
     *                      special token of the same name
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                         SpecialTokens specialTokens, Map<String, ?> variables) {
        Map<String, Object> all = new HashMap<>(specialTokenVariables(specialTokens));
        for (Map.Entry<String, ?> v : variables.entrySet()) {
            if (RESERVED.contains(v.getKey())) {
                throw new IllegalArgumentException("chat template variable " + v.getKey()
                        + " is set by the conversation itself");
            }
            all.put(v.getKey(), v.getValue());
        }
        all.put("messages", List.copyOf(messages));
        all.put("tools", null);
        all.put("documents", null);
        all.put("add_generation_prompt", addGenerationPrompt);
        return template.render(all);
    }

    /** Renders a conversation of text and image items ({@link ChatMessage#toTemplateMessage()}). */
    public String render(List<ChatMessage> conversation, boolean addGenerationPrompt, SpecialTokens specialTokens) {
        List<Map<String, Object>> messages = new ArrayList<>(conversation.size());
        for (ChatMessage m : conversation) {
            messages.add(m.toTemplateMessage());
        }
        return render(messages, addGenerationPrompt, specialTokens, Map.of());
    }

    /**
     * The conversation as prompt items for the processor: the rendered text split at each {@link #IMAGE_TOKEN},
     * with the conversation's images, in order, in the gaps (empty text pieces are left out).
     *
     * @throws IllegalArgumentException when the rendered text holds another number of image tokens than the
     *                                  conversation has images (a text that spells {@code <image>} itself, or a
     *                                  template that drops an image)
     */
    public List<PromptItem> prompt(List<ChatMessage> conversation, boolean addGenerationPrompt,
                                   SpecialTokens specialTokens) {
        String rendered = render(conversation, addGenerationPrompt, specialTokens);
        List<PromptItem> images = new ArrayList<>();
        for (ChatMessage m : conversation) {
            for (PromptItem item : m.content()) {
                if (!(item instanceof PromptItem.Text)) {
                    images.add(item);
                }
            }
        }
        return splitAtImages(rendered, images, PromptItem::text, origin());
    }

    /**
     * A rendered prompt as pieces: the text between the {@link #IMAGE_TOKEN}s, and the images, in order, in their
     * places; empty text pieces are left out. Generic so that a caller with its own item type (the server's image
     * references not fetched yet) splits the same way.
     *
     * @param origin names the template in the error
     * @throws IllegalArgumentException when the counts of image tokens and images differ
     */
    public static <T> List<T> splitAtImages(String rendered, List<? extends T> images,
                                            Function<String, ? extends T> text, String origin) {
        List<T> out = new ArrayList<>();
        int from = 0;
        int image = 0;
        for (int at = rendered.indexOf(IMAGE_TOKEN); at >= 0; at = rendered.indexOf(IMAGE_TOKEN, from)) {
            if (image == images.size()) {
                throw imageCountMismatch(rendered, images.size(), origin);
            }
            if (at > from) {
                out.add(text.apply(rendered.substring(from, at)));
            }
            out.add(images.get(image++));
            from = at + IMAGE_TOKEN.length();
        }
        if (image != images.size()) {
            throw imageCountMismatch(rendered, images.size(), origin);
        }
        if (from < rendered.length()) {
            out.add(text.apply(rendered.substring(from)));
        }
        return out;
    }

    private static IllegalArgumentException imageCountMismatch(String rendered, int images, String origin) {
        int tokens = (rendered.length() - rendered.replace(IMAGE_TOKEN, "").length()) / IMAGE_TOKEN.length();
        return new IllegalArgumentException("the conversation has " + images + " image(s) but the prompt rendered by "
                + origin + " has " + tokens + " " + IMAGE_TOKEN + " token(s); a message text may not spell "
                + IMAGE_TOKEN + " itself");
    }

    /**
     * transformers' {@code special_tokens_map} as template variables: {@code bos_token}, {@code eos_token},
     * {@code unk_token}, {@code pad_token} and {@code additional_special_tokens}, each only when the tokenizer has it.
     */
    static Map<String, Object> specialTokenVariables(SpecialTokens tokens) {
        Map<String, Object> out = new HashMap<>();
        if (tokens == null) {
            return out;
        }
        putIfSet(out, "bos_token", tokens.bos());
        putIfSet(out, "eos_token", tokens.eos());
        putIfSet(out, "unk_token", tokens.unk());
        putIfSet(out, "pad_token", tokens.pad());
        if (!tokens.additional().isEmpty()) {
            out.put("additional_special_tokens", tokens.additional());
        }
        return out;
    }

    private static void putIfSet(Map<String, Object> out, String name, String value) {
        if (value != null && !value.isEmpty()) {
            out.put(name, value);
        }
    }

    /** A {@code chat_template} value: a template string, or transformers' list of {@code {name, template}}. */
    private static String source(JsonNode value, Path file) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isArray()) {
            for (JsonNode named : value) {
                if ("default".equals(named.path("name").asText(null)) && named.path("template").isTextual()) {
                    return named.get("template").asText();
                }
            }
            throw new TemplateException(file.toString(), "chat_template lists named templates but none named "
                    + "\"default\"", "no default chat template");
        }
        throw new TemplateException(file.toString(), "chat_template must be a string, not " + value.getNodeType(),
                "chat_template is not a string");
    }

    private static JsonNode parse(Path file) {
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new TemplateException(file.toString(), "expected a JSON object", "not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new TemplateException(file.toString(), "not valid JSON: " + e.getOriginalMessage(), "not valid JSON");
        } catch (IOException e) {
            throw new TemplateException(file.toString(), "cannot be read: " + e.getMessage(), "cannot be read");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new TemplateException(file.toString(), "cannot be read: " + e.getMessage(), "cannot be read");
        }
    }
}
