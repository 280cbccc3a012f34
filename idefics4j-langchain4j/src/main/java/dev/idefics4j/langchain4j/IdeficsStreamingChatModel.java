package dev.idefics4j.langchain4j;

import dev.idefics4j.server.ApiError;
import dev.idefics4j.server.InProcessEngine;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;

import java.util.concurrent.CancellationException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * IDEFICS as a LangChain4j {@link StreamingChatModel}, in this JVM, with everything {@link IdeficsChatModel} does.
 * The handler is called on the calling thread, which {@code chat} holds until the answer is complete:
 * {@code onPartialResponse} for each piece as it is decoded (whole characters, as the command line streams), then
 * {@code onCompleteResponse} with the whole answer, its token usage and finish reason; {@code onError} instead for a
 * refused request (bad input, a limit) or a failure. Decoding stops when the handler throws (the exception then
 * goes to {@code onError}), when it cancels through the {@link StreamingHandle} of its
 * {@link PartialResponseContext} (no callback follows), or when the calling thread is interrupted.
 */
public final class IdeficsStreamingChatModel extends AbstractIdeficsChatModel implements StreamingChatModel {
    private static final Logger LOG = Logger.getLogger(IdeficsStreamingChatModel.class.getName());

    private IdeficsStreamingChatModel(IdeficsChat chat) {
        super(chat);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        InProcessEngine.Answer answer;
        try {
            InProcessEngine.Generation generation = chat.start(request);
            Handle handle = new Handle(generation);
            PartialResponseContext context = new PartialResponseContext(handle);
            answer = generation.await(text -> handler.onPartialResponse(new PartialResponse(text), context));
        } catch (CancellationException e) {
            return; // cancelled through the handle: no further callback
        } catch (ApiError e) {
            error(handler, IdeficsChat.translate(e));
            return;
        } catch (InterruptedException e) {
            error(handler, IdeficsChat.interrupted(e));
            return;
        } catch (RuntimeException e) {
            error(handler, e); // a refusal, or the handler itself threw (decoding has stopped)
            return;
        }
        try {
            handler.onCompleteResponse(chat.response(answer));
        } catch (RuntimeException e) {
            error(handler, e);
        }
    }

    /** Hands an error to the handler; an exception from {@code onError} itself is logged, as LangChain4j does. */
    private static void error(StreamingChatResponseHandler handler, Throwable error) {
        try {
            handler.onError(error);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the handler's onError threw", e);
        }
    }

    /** Cancels the request it was made for; checked after each partial response. */
    private record Handle(InProcessEngine.Generation generation) implements StreamingHandle {
        @Override
        public void cancel() {
            generation.cancel();
        }

        @Override
        public boolean isCancelled() {
            return generation.cancelled();
        }
    }

    public static final class Builder extends IdeficsModelBuilder<Builder> {
        private Builder() {
        }

        public IdeficsStreamingChatModel build() {
            return new IdeficsStreamingChatModel(buildChat());
        }
    }
}
