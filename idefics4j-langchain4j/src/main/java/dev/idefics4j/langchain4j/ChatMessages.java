package dev.idefics4j.langchain4j;

import dev.idefics4j.server.ChatPrompt;
import dev.idefics4j.server.PromptPart;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;

import java.util.ArrayList;
import java.util.List;

/**
 * LangChain4j's messages as the chat messages the server's chat route reads: system messages, user messages of text
 * and images, and the assistant's earlier answers. An image is a reference the server's resolver fetches or decodes
 * under its limits and address policy: its URL ({@code http(s):}, {@code file:}), or its base64 data as a
 * {@code data:} URL. Tool calls and results, and content other than text and images, are refused: IDEFICS reads
 * text and images and was not trained to call functions.
 */
final class ChatMessages {
    private ChatMessages() {
    }

    static List<ChatPrompt.Message> of(List<ChatMessage> messages) {
        List<ChatPrompt.Message> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            out.add(of(messages.get(i), i));
        }
        return out;
    }

    private static ChatPrompt.Message of(ChatMessage message, int index) {
        String where = "message " + index + " (" + message.type() + ")";
        return switch (message) {
            case SystemMessage system -> new ChatPrompt.Message("system", List.of(new PromptPart.Text(system.text())));
            case UserMessage user -> new ChatPrompt.Message("user", parts(user.contents(), where));
            case AiMessage ai -> {
                if (ai.hasToolExecutionRequests()) {
                    throw new UnsupportedFeatureException(where + " requests tool executions; IDEFICS was not "
                            + "trained to call functions");
                }
                yield new ChatPrompt.Message("assistant", List.of(new PromptPart.Text(ai.text() == null ? ""
                        : ai.text())));
            }
            default -> throw new UnsupportedFeatureException(where + " is a " + message.type() + " message; IDEFICS "
                    + "takes system, user and AI messages (no tool results or custom messages)");
        };
    }

    private static List<PromptPart> parts(List<Content> contents, String where) {
        List<PromptPart> out = new ArrayList<>(contents.size());
        for (int j = 0; j < contents.size(); j++) {
            out.add(switch (contents.get(j)) {
                case TextContent text -> new PromptPart.Text(text.text());
                case ImageContent image -> new PromptPart.Image(reference(image.image(), where + ", content " + j));
                default -> throw new UnsupportedFeatureException(where + ", content " + j + " is "
                        + contents.get(j).type() + "; IDEFICS reads text and images only");
            });
        }
        return out;
    }

    /** Where the server's image resolver finds an image: its URL, or its data as a {@code data:} URL. */
    private static String reference(Image image, String where) {
        if (image.url() != null) {
            return image.url().toString();
        }
        if (image.base64Data() != null && !image.base64Data().isEmpty()) {
            return "data:" + (image.mimeType() == null ? "" : image.mimeType()) + ";base64," + image.base64Data();
        }
        throw new InvalidRequestException(where + " is an image with neither a URL nor base64 data");
    }
}
