package dev.idefics4j.langchain4j;

import dev.idefics4j.Idefics;
import dev.idefics4j.server.Metrics;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.util.List;

/** What {@link IdeficsChatModel} and {@link IdeficsStreamingChatModel} both answer, from their shared engine. */
public abstract class AbstractIdeficsChatModel implements AutoCloseable {
    final IdeficsChat chat;

    AbstractIdeficsChatModel(IdeficsChat chat) {
        this.chat = chat;
    }

    /** The builder's default parameters, always as {@link IdeficsChatRequestParameters} (so merging keeps them). */
    public ChatRequestParameters defaultRequestParameters() {
        return chat.defaults();
    }

    public List<ChatModelListener> listeners() {
        return chat.listeners();
    }

    /** The loaded model (to share it with another model of this module or the rest of the application). */
    public Idefics idefics() {
        return chat.idefics();
    }

    /** The engine's counters: tokens, queue, batch, and the steps that decoded several requests together. */
    public Metrics metrics() {
        return chat.engine().metrics();
    }

    /** Stops the engine (requests still running fail) and closes the model if this builder loaded it. */
    @Override
    public void close() {
        chat.close();
    }
}
