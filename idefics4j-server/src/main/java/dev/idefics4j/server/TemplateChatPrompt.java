package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.processor.jinja.TemplateException;
import dev.idefics4j.tokenizer.SpecialTokens;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI chat messages through a checkpoint's chat template (Idefics2, Idefics3, SmolVLM), as transformers'
 * {@code apply_chat_template} renders them with the generation prompt: each message becomes
 * {@code {"role", "content": [{"type": "text", "text"}, {"type": "image"}, ...]}} with its parts in order (a string
 * content is one text item: the templates of these families drop bare strings), {@code developer} is
 * {@code system}, and the rendered text is split at its {@code <image>} placeholders around the messages' images.
 */
final class TemplateChatPrompt {
    private TemplateChatPrompt() {
    }

    static List<PromptPart> of(JsonNode messages, ChatTemplate template, SpecialTokens specialTokens) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.invalid("messages", "messages must be a non-empty array of {role, content} objects");
        }
        List<Map<String, Object>> rendered = new ArrayList<>();
        List<PromptPart> images = new ArrayList<>();
        String lastRole = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            String role = switch (m.path("role").asText("")) {
                case "system", "developer" -> "system";
                case "user" -> "user";
                case "assistant" -> "assistant";
                default -> throw ApiError.invalid(where + ".role", where + " has role \"" + m.path("role").asText("")
                        + "\"; this model takes system, user and assistant messages (no tools or functions)");
            };
            JsonNode content = m.get("content");
            List<PromptPart> parts = role.equals("assistant") && (content == null || content.isNull())
                    ? List.of(new PromptPart.Text(""))
                    : ChatPrompt.parts(content, where, role.equals("user"));
            List<Object> items = new ArrayList<>();
            for (PromptPart part : parts) {
                if (part instanceof PromptPart.Text(String text)) {
                    items.add(ordered("type", "text", "text", text));
                } else {
                    items.add(ordered("type", "image"));
                    images.add(part);
                }
            }
            rendered.add(ordered("role", role, "content", List.copyOf(items)));
            if (!role.equals("system")) {
                lastRole = role;
            }
        }
        if (!"user".equals(lastRole)) {
            throw ApiError.invalid("messages", "the last message (after any system messages) must be from the "
                    + "user: the model answers it as the assistant");
        }
        try {
            return ChatTemplate.splitAtImages(template.render(rendered, true, specialTokens, Map.of()), images,
                    PromptPart.Text::new, template.origin());
        } catch (TemplateException e) {
            throw ApiError.invalid("messages", "the model's chat template refused these messages: "
                    + (e.templateMessage() != null ? e.templateMessage() : e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("messages", e.getMessage());
        }
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
