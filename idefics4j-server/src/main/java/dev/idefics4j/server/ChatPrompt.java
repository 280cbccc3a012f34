package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Chat messages in the IDEFICS instruct format, as the IDEFICS guide writes a conversation:
 * {@code User: <text and images><end_of_utterance>\nAssistant: <answer><end_of_utterance>\nUser: ...} ending with
 * {@code \nAssistant:} for the model to continue. System (and developer) messages, which IDEFICS has no role for,
 * become a preamble before the first turn, as the IDEFICS playground's system prompt was. The parts of one message
 * keep their order; adjacent text parts are joined by a space. {@link #messages} reads OpenAI's JSON messages;
 * {@link #of(List)} writes the format, for the HTTP route and for in-process callers alike.
 */
public final class ChatPrompt {
    static final String END_OF_UTTERANCE = "<end_of_utterance>";

    private ChatPrompt() {
    }

    /**
     * One message of a conversation: its role ({@code system}, {@code developer}, {@code user} or
     * {@code assistant}) and its content, text and image references in their order.
     */
    public record Message(String role, List<PromptPart> content) {
        public Message {
            Objects.requireNonNull(role, "role");
            content = List.copyOf(content);
        }
    }

    /** OpenAI's JSON {@code messages} in the instruct format. */
    static List<PromptPart> of(JsonNode messages) {
        return of(messages(messages));
    }

    /** OpenAI's JSON {@code messages} as messages: each content a string or an array of text and image_url parts. */
    static List<Message> messages(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.invalid("messages", "messages must be a non-empty array of {role, content} objects");
        }
        List<Message> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            String role = m.path("role").asText("");
            JsonNode content = m.get("content");
            // An assistant message that only called tools has no content; it is an empty answer.
            out.add(new Message(role, "assistant".equals(role) && (content == null || content.isNull()) ? List.of()
                    : parts(content, where)));
        }
        return out;
    }

    /**
     * A conversation in the instruct format: prompt parts for the processor, ending with {@code \nAssistant:}.
     *
     * @throws ApiError (invalid) for an unknown role, an image outside a user message, or a conversation whose
     *                  last message (system messages aside) is not the user's
     */
    public static List<PromptPart> of(List<Message> messages) {
        if (messages.isEmpty()) {
            throw ApiError.invalid("messages", "messages must not be empty: the model answers the user's last one");
        }
        StringBuilder preamble = new StringBuilder();
        List<PromptPart> out = new ArrayList<>();
        boolean anyTurn = false;
        String lastRole = null;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            String where = "messages[" + i + "]";
            switch (m.role()) {
                case "system", "developer" -> {
                    if (!preamble.isEmpty()) {
                        preamble.append("\n\n");
                    }
                    preamble.append(text(m.content(), where));
                }
                case "user" -> {
                    String opener = anyTurn ? "\nUser:" : preamble.isEmpty() ? "User:" : preamble + "\n\nUser:";
                    out.addAll(userTurn(opener, m.content()));
                    anyTurn = true;
                    lastRole = m.role();
                }
                case "assistant" -> {
                    String opener = anyTurn ? "\nAssistant: " : preamble.isEmpty() ? "Assistant: "
                            : preamble + "\n\nAssistant: ";
                    out.add(new PromptPart.Text(opener + text(m.content(), where) + END_OF_UTTERANCE));
                    anyTurn = true;
                    lastRole = m.role();
                }
                default -> throw ApiError.invalid(where + ".role", where + " has role \"" + m.role()
                        + "\"; IDEFICS takes system, user and assistant messages (no tools or functions)");
            }
        }
        if (!"user".equals(lastRole)) {
            throw ApiError.invalid("messages", "the last message (after any system messages) must be from the "
                    + "user: the model answers it as the assistant");
        }
        out.add(new PromptPart.Text("\nAssistant:"));
        return out;
    }

    /**
     * "User:" and the turn's parts, the opener joined to a leading text part, and {@code <end_of_utterance>}
     * appended to a trailing text part (or after a trailing image), as the guide's prompts are written. Adjacent
     * text parts are joined by a space first.
     */
    private static List<PromptPart> userTurn(String opener, List<PromptPart> content) {
        List<PromptPart> parts = joinAdjacentText(content);
        List<PromptPart> out = new ArrayList<>();
        int from = 0;
        if (!parts.isEmpty() && parts.getFirst() instanceof PromptPart.Text(String first)) {
            out.add(new PromptPart.Text(opener + " " + first));
            from = 1;
        } else {
            out.add(new PromptPart.Text(opener));
        }
        out.addAll(parts.subList(from, parts.size()));
        if (out.getLast() instanceof PromptPart.Text(String last)) {
            out.set(out.size() - 1, new PromptPart.Text(last + END_OF_UTTERANCE));
        } else {
            out.add(new PromptPart.Text(END_OF_UTTERANCE));
        }
        return out;
    }

    private static List<PromptPart> joinAdjacentText(List<PromptPart> parts) {
        List<PromptPart> out = new ArrayList<>(parts.size());
        for (PromptPart part : parts) {
            if (part instanceof PromptPart.Text(String text) && !out.isEmpty()
                    && out.getLast() instanceof PromptPart.Text(String before)) {
                out.set(out.size() - 1, new PromptPart.Text(before + " " + text));
            } else {
                out.add(part);
            }
        }
        return out;
    }

    /** A JSON message's content: a string, or an array of text and image_url parts. */
    private static List<PromptPart> parts(JsonNode content, String where) {
        if (content != null && content.isTextual()) {
            return List.of(new PromptPart.Text(content.asText()));
        }
        if (content == null || !content.isArray()) {
            throw ApiError.invalid(where + ".content", where + ".content must be a string or an array of parts");
        }
        List<PromptPart> out = new ArrayList<>();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String at = where + ".content[" + j + "]";
            String type = part.path("type").asText("");
            switch (type.toLowerCase(Locale.ROOT)) {
                case "text" -> {
                    if (!part.path("text").isTextual()) {
                        throw ApiError.invalid(at + ".text", at + " is a text part without a \"text\" string");
                    }
                    out.add(new PromptPart.Text(part.get("text").asText()));
                }
                case "image_url" -> {
                    JsonNode url = part.path("image_url");
                    String value = url.isTextual() ? url.asText() : url.path("url").asText(null);
                    if (value == null || value.isBlank()) {
                        throw ApiError.invalid(at + ".image_url", at + " needs image_url.url: an http(s) URL or a "
                                + "data: URL");
                    }
                    out.add(new PromptPart.Image(value));
                }
                default -> throw ApiError.invalid(at + ".type", at + " has type \"" + type + "\"; only text and "
                        + "image_url parts are supported");
            }
        }
        return out;
    }

    /** The text of a message that may not hold images (system, developer, assistant), its parts joined by a space. */
    private static String text(List<PromptPart> parts, String where) {
        StringBuilder s = new StringBuilder();
        for (int j = 0; j < parts.size(); j++) {
            if (!(parts.get(j) instanceof PromptPart.Text(String t))) {
                throw ApiError.invalid(where + ".content[" + j + "]", where + ".content[" + j
                        + "]: only user messages may hold images");
            }
            s.append(j == 0 ? "" : " ").append(t);
        }
        return s.toString();
    }
}
