package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * OpenAI chat messages in the IDEFICS instruct format, as the IDEFICS guide writes a conversation:
 * {@code User: <text and images><end_of_utterance>\nAssistant: <answer><end_of_utterance>\nUser: ...} ending with
 * {@code \nAssistant:} for the model to continue. System (and developer) messages, which IDEFICS has no role for,
 * become a preamble before the first turn, as the IDEFICS playground's system prompt was. The parts of one message
 * keep their order; adjacent text parts are joined by a space.
 */
final class ChatPrompt {
    static final String END_OF_UTTERANCE = "<end_of_utterance>";

    private ChatPrompt() {
    }

    static List<PromptPart> of(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.invalid("messages", "messages must be a non-empty array of {role, content} objects");
        }
        StringBuilder preamble = new StringBuilder();
        List<PromptPart> out = new ArrayList<>();
        boolean anyTurn = false;
        String lastRole = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            String role = m.path("role").asText("");
            switch (role) {
                case "system", "developer" -> {
                    if (!preamble.isEmpty()) {
                        preamble.append("\n\n");
                    }
                    preamble.append(text(parts(m.get("content"), where, false), where));
                }
                case "user" -> {
                    String opener = anyTurn ? "\nUser:" : preamble.isEmpty() ? "User:" : preamble + "\n\nUser:";
                    out.addAll(userTurn(opener, joinAdjacentText(parts(m.get("content"), where, true))));
                    anyTurn = true;
                    lastRole = role;
                }
                case "assistant" -> {
                    String opener = anyTurn ? "\nAssistant: " : preamble.isEmpty() ? "Assistant: "
                            : preamble + "\n\nAssistant: ";
                    JsonNode content = m.get("content");
                    String answer = content == null || content.isNull() ? ""
                            : text(parts(content, where, false), where);
                    out.add(new PromptPart.Text(opener + answer + END_OF_UTTERANCE));
                    anyTurn = true;
                    lastRole = role;
                }
                default -> throw ApiError.invalid(where + ".role", where + " has role \"" + role
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
     * appended to a trailing text part (or after a trailing image), as the guide's prompts are written.
     */
    private static List<PromptPart> userTurn(String opener, List<PromptPart> parts) {
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

    /** A message's content: a string, or an array of text and (where allowed) image_url parts, in order. */
    static List<PromptPart> parts(JsonNode content, String where, boolean imagesAllowed) {
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
                    if (!imagesAllowed) {
                        throw ApiError.invalid(at, at + ": only user messages may hold images");
                    }
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

    /** Adjacent text parts joined by a space, as the guide's format writes one message's text. */
    private static List<PromptPart> joinAdjacentText(List<PromptPart> parts) {
        List<PromptPart> out = new ArrayList<>();
        for (PromptPart p : parts) {
            if (p instanceof PromptPart.Text(String text) && !out.isEmpty()
                    && out.getLast() instanceof PromptPart.Text(String before)) {
                out.set(out.size() - 1, new PromptPart.Text(before + " " + text));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static String text(List<PromptPart> parts, String where) {
        StringBuilder s = new StringBuilder();
        for (PromptPart p : parts) {
            if (!(p instanceof PromptPart.Text(String t))) {
                throw ApiError.invalid(where, where + ": only user messages may hold images");
            }
            s.append(s.isEmpty() ? "" : " ").append(t);
        }
        return s.toString();
    }
}
