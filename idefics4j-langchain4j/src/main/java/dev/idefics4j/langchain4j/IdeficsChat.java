package dev.idefics4j.langchain4j;

import dev.idefics4j.Idefics;
import dev.idefics4j.server.ApiError;
import dev.idefics4j.server.InProcessEngine;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the blocking and the streaming model share: the server's in-process engine on a loaded model (its chat
 * format, image policy, limits and continuous batch), the default parameters, and the translation of requests,
 * answers and refusals between LangChain4j and idefics4j.
 */
final class IdeficsChat implements AutoCloseable {
    private final InProcessEngine engine;
    private final boolean ownsModel;
    private final String modelName;
    private final IdeficsChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;
    private final AtomicLong responses = new AtomicLong();

    IdeficsChat(InProcessEngine engine, boolean ownsModel, String modelName, IdeficsChatRequestParameters defaults,
                List<ChatModelListener> listeners) {
        this.engine = engine;
        this.ownsModel = ownsModel;
        this.modelName = modelName;
        this.defaults = defaults;
        this.listeners = List.copyOf(listeners);
    }

    Idefics idefics() {
        return engine.idefics();
    }

    InProcessEngine engine() {
        return engine;
    }

    String modelName() {
        return modelName;
    }

    IdeficsChatRequestParameters defaults() {
        return defaults;
    }

    List<ChatModelListener> listeners() {
        return listeners;
    }

    /**
     * Accepts a request for the running batch (waiting for a place in the queue while it is full).
     *
     * @throws UnsupportedFeatureException for what IDEFICS has no equivalent for (tools, JSON, penalties, ...)
     * @throws InvalidRequestException     for bad messages, a refused or unreadable image, a prompt over a limit, a
     *                                     bad parameter value
     */
    InProcessEngine.Generation start(ChatRequest request) throws InterruptedException {
        GenerationSettings settings = GenerationSettings.of(request.parameters());
        try {
            return engine.chat(ChatMessages.of(request.messages()), settings.parameters(), settings.maxNewTokens(),
                    "maxOutputTokens");
        } catch (ApiError e) {
            throw translate(e);
        }
    }

    ChatResponse response(InProcessEngine.Answer answer) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(answer.text()))
                .id("idefics4j-" + responses.incrementAndGet())
                .modelName(modelName)
                .tokenUsage(new TokenUsage(answer.promptTokens(), answer.completionTokens()))
                .finishReason(switch (answer.finishReason()) {
                    case EOS, STOP -> FinishReason.STOP;
                    case LENGTH -> FinishReason.LENGTH;
                })
                .build();
    }

    /** A refusal or failure of the engine as the LangChain4j exception a caller expects, its reason kept. */
    static LangChain4jException translate(ApiError e) {
        return switch (e.kind()) {
            case INVALID, TOO_LARGE, NOT_FOUND -> new InvalidRequestException(e.getMessage(), e);
            case FAILED -> new InternalServerException(e.getMessage(), e);
            default -> new LangChain4jException(e.getMessage(), e);
        };
    }

    /** The caller's thread was interrupted: its request was cancelled; the thread keeps its interrupt status. */
    static LangChain4jException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new LangChain4jException("interrupted: the request was cancelled and its decoding stopped", e);
    }

    /** Stops the engine (requests still running fail) and closes the model if this loaded it. */
    @Override
    public void close() {
        engine.close();
        if (ownsModel) {
            engine.idefics().close();
        }
    }
}
