package dev.idefics4j.processor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation: a role ({@code user}, {@code assistant}, {@code system}, …) and its content as
 * prompt items, text and images in their order.
 */
public record ChatMessage(String role, List<PromptItem> content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
    }

    public static ChatMessage user(List<PromptItem> content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage("assistant", List.of(PromptItem.text(text)));
    }

    public static ChatMessage system(String text) {
        return new ChatMessage("system", List.of(PromptItem.text(text)));
    }

    /**
     * The message as transformers' multimodal chat templates take it:
     * {@code {"role": ..., "content": [{"type": "text", "text": ...}, {"type": "image"}, ...]}}. An image is only a
     * placeholder here; the images themselves follow the rendered text ({@link ChatTemplate#prompt}). Keys keep
     * this order, as a Python dict would (it shows in {@code tojson}).
     */
    public Map<String, Object> toTemplateMessage() {
        List<Map<String, Object>> items = new ArrayList<>(content.size());
        for (PromptItem item : content) {
            items.add(item instanceof PromptItem.Text(String text) ? templateText(text) : templateImage());
        }
        return templateMessage(role, items);
    }

    /** A template message: {@code {"role": role, "content": items}}. */
    public static Map<String, Object> templateMessage(String role, List<Map<String, Object>> items) {
        return ordered("role", role, "content", List.copyOf(items));
    }

    /** A template content item holding text: {@code {"type": "text", "text": text}}. */
    public static Map<String, Object> templateText(String text) {
        return ordered("type", "text", "text", text);
    }

    /** A template content item standing for an image: {@code {"type": "image"}}. */
    public static Map<String, Object> templateImage() {
        return ordered("type", "image");
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
