package dev.idefics4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.Idefics;
import dev.idefics4j.image.ImageLoader;

import java.util.List;
import java.util.Map;

/**
 * The server's own prompt building, reached from the tests of idefics4j-langchain4j: what
 * {@code POST /v1/chat/completions} makes of its JSON messages, and what it makes of messages given in-process,
 * through the same {@link RequestPreparer}; and the token ids either prompt becomes.
 */
public final class ChatRoutePrompt implements AutoCloseable {
    private final ImageLoader images = new ImageLoader(ServerConfig.DEFAULT_IMAGE_LIMITS);
    private final RequestPreparer preparer;

    public ChatRoutePrompt(Idefics idefics) {
        preparer = RequestPreparer.guarded(idefics, ServerConfig.builder().build(), LimitNames.SERVER, images);
    }

    /** The prompt the chat route builds from a request's {@code messages} array. */
    public List<PromptPart> fromJson(String messages) throws JsonProcessingException {
        return preparer.chatPrompt(ChatPrompt.messages(new ObjectMapper().readTree(messages)));
    }

    /** The prompt built from messages given in-process ({@link InProcessEngine#chat}). */
    public List<PromptPart> fromMessages(List<ChatPrompt.Message> messages) {
        return preparer.chatPrompt(messages);
    }

    /** The token ids the model reads for a prompt (images fetched or decoded as for any request). */
    public int[] tokens(List<PromptPart> prompt) {
        return preparer.prepare(prompt, Map.of(), 1, "max_tokens", "messages", false, () -> false).inputs().inputIds()[0];
    }

    @Override
    public void close() {
        images.close();
    }
}
