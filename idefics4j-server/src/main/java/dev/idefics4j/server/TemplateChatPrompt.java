package dev.idefics4j.server;

import dev.idefics4j.processor.ChatMessage;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.processor.jinja.TemplateException;
import dev.idefics4j.tokenizer.SpecialTokens;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Chat messages through a checkpoint's chat template (Idefics2, Idefics3, SmolVLM), as transformers'
 * {@code apply_chat_template} renders them with the generation prompt: each message becomes
 * {@code {"role", "content": [{"type": "text", "text"}, {"type": "image"}, ...]}} with its parts in order (a string
 * content is one text item: the templates of these families drop bare strings), {@code developer} is
 * {@code system}, and the rendered text is split at its {@code <image>} placeholders around the messages' images.
 */
final class TemplateChatPrompt {
    private TemplateChatPrompt() {
    }

    static List<PromptPart> of(List<ChatPrompt.Message> messages, ChatTemplate template, SpecialTokens specialTokens) {
        if (messages.isEmpty()) {
            throw ApiError.invalid("messages", "messages must not be empty: the model answers the user's last one");
        }
        List<Map<String, Object>> rendered = new ArrayList<>();
        List<PromptPart> images = new ArrayList<>();
        String lastRole = null;
        for (int i = 0; i < messages.size(); i++) {
            ChatPrompt.Message m = messages.get(i);
            String where = "messages[" + i + "]";
            String role = switch (m.role()) {
                case "system", "developer" -> "system";
                case "user" -> "user";
                case "assistant" -> "assistant";
                default -> throw ApiError.invalid(where + ".role", where + " has role \"" + m.role()
                        + "\"; this model takes system, user and assistant messages (no tools or functions)");
            };
            List<PromptPart> parts = m.content().isEmpty() ? List.of(new PromptPart.Text("")) : m.content();
            List<Map<String, Object>> items = new ArrayList<>();
            for (int j = 0; j < parts.size(); j++) {
                if (parts.get(j) instanceof PromptPart.Text(String text)) {
                    items.add(ChatMessage.templateText(text));
                } else if (role.equals("user")) {
                    items.add(ChatMessage.templateImage());
                    images.add(parts.get(j));
                } else {
                    throw ApiError.invalid(where + ".content[" + j + "]", where + ".content[" + j
                            + "]: only user messages may hold images");
                }
            }
            rendered.add(ChatMessage.templateMessage(role, items));
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
}
