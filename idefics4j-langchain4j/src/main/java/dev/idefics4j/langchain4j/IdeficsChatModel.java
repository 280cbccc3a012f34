package dev.idefics4j.langchain4j;

import dev.idefics4j.server.ApiError;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * IDEFICS as a LangChain4j {@link ChatModel}, in this JVM: no server, no port, no JSON. Messages become the prompt the
 * server's {@code /v1/chat/completions} gives the model (the instruct format of the IDEFICS guide), images come from
 * {@code ImageContent} (base64 data, or {@code http(s):} and {@code file:} URLs under the server's limits and
 * address policy), and requests from any number of threads are decoded together in one continuous batch. Tools and
 * JSON response formats are refused ({@code UnsupportedFeatureException}): the model was not trained for them.
 *
 * <pre>{@code
 * ChatModel model = IdeficsChatModel.builder().model("HuggingFaceM4/idefics-9b-instruct").build();
 * String answer = model.chat(UserMessage.from(TextContent.from("What is in this image?"),
 *         ImageContent.from(base64Jpeg, "image/jpeg"))).aiMessage().text();
 * }</pre>
 */
public final class IdeficsChatModel extends AbstractIdeficsChatModel implements ChatModel {
    private IdeficsChatModel(IdeficsChat chat) {
        super(chat);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers on the calling thread once the answer is complete; an interruption of the thread cancels the request
     * and its decoding.
     */
    @Override
    public ChatResponse doChat(ChatRequest request) {
        try {
            return chat.response(chat.start(request).await(null));
        } catch (ApiError e) {
            throw IdeficsChat.translate(e);
        } catch (InterruptedException e) {
            throw IdeficsChat.interrupted(e);
        }
    }

    public static final class Builder extends IdeficsModelBuilder<Builder> {
        private Builder() {
        }

        public IdeficsChatModel build() {
            return new IdeficsChatModel(buildChat());
        }
    }
}
