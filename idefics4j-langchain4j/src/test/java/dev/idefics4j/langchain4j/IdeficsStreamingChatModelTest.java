package dev.idefics4j.langchain4j;

import dev.idefics4j.server.Metrics;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IdeficsStreamingChatModel}: the pieces are the facade's streamed pieces and add up to the non-streaming
 * answer; bad input goes to {@code onError}; a handler that throws, cancels through its handle, or whose thread is
 * interrupted stops the decoding.
 */
class IdeficsStreamingChatModelTest {
    /** Long enough that decoding is still running when the test stops it. */
    private static final int LONG = 400;
    private static IdeficsStreamingChatModel streaming;
    private static IdeficsChatModel blocking;

    @BeforeAll
    static void start() {
        ChatRequestParameters twelve = ChatRequestParameters.builder().maxOutputTokens(12).build();
        streaming = IdeficsStreamingChatModel.builder().idefics(Reference.get()).defaultRequestParameters(twelve)
                .build();
        blocking = IdeficsChatModel.builder().idefics(Reference.get()).defaultRequestParameters(twelve).build();
    }

    @AfterAll
    static void stop() {
        streaming.close();
        blocking.close();
    }

    private static UserMessage question() {
        return UserMessage.from(TextContent.from("What is in this image?"),
                Reference.base64("cat_rgb_97x61.jpg", "image/jpeg"));
    }

    /** Records what a handler is told. */
    private static class Recorder implements StreamingChatResponseHandler {
        final List<String> pieces = new ArrayList<>();
        final AtomicReference<ChatResponse> complete = new AtomicReference<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();

        @Override
        public void onPartialResponse(String piece) {
            pieces.add(piece);
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            complete.set(response);
        }

        @Override
        public void onError(Throwable e) {
            error.set(e);
        }
    }

    @Test
    void piecesAddUpToTheWholeAnswer() {
        // Twelve tokens at least: the tiny model would end this answer after two.
        ChatRequest request = ChatRequest.builder().messages(question()).parameters(IdeficsChatRequestParameters
                .builder().minNewTokens(12).build()).build();
        Recorder r = new Recorder();
        streaming.chat(request, r);
        assertNull(r.error.get());
        ChatResponse whole = blocking.chat(request);
        assertTrue(r.pieces.size() > 1, "streamed in pieces: " + r.pieces);
        assertEquals(whole.aiMessage().text(), String.join("", r.pieces));
        assertEquals(whole.aiMessage().text(), r.complete.get().aiMessage().text());
        assertEquals(whole.tokenUsage(), r.complete.get().tokenUsage());
        assertEquals(whole.finishReason(), r.complete.get().finishReason());

        // The pieces are those the facade streams (whole characters), less the answer's leading space.
        List<String> facade = new ArrayList<>();
        Reference.get().chat(java.util.Map.of("max_new_tokens", 12, "min_new_tokens", 12)).send(List.of(
                dev.idefics4j.processor.PromptItem.text("What is in this image?"),
                dev.idefics4j.processor.PromptItem.image(Reference.image("cat_rgb_97x61.jpg").toString())),
                facade::add);
        List<String> expected = new ArrayList<>();
        for (String piece : facade) {
            String p = expected.isEmpty() ? piece.stripLeading() : piece;
            if (!p.isEmpty()) {
                expected.add(p);
            }
        }
        assertEquals(expected, r.pieces);
        for (String piece : r.pieces) {
            assertFalse(piece.contains("\uFFFD"), "a piece holds a broken character: " + r.pieces);
        }
    }

    @Test
    void badInputGoesToOnError() {
        Recorder r = new Recorder();
        streaming.chat(List.of(UserMessage.from(TextContent.from("Look"),
                dev.langchain4j.data.message.ImageContent.from("http://127.0.0.1:9/cat.png"))), r);
        assertInstanceOf(InvalidRequestException.class, r.error.get());
        assertTrue(r.error.get().getMessage().contains("refused to fetch from 127.0.0.1"), r.error.get().getMessage());
        assertNull(r.complete.get());
        assertTrue(r.pieces.isEmpty());
    }

    private static ChatRequest longRequest() {
        return ChatRequest.builder().messages(question()).parameters(IdeficsChatRequestParameters.builder()
                .maxOutputTokens(LONG).minNewTokens(LONG).build()).build();
    }

    @Test
    void aHandlerThatThrowsStopsTheDecoding() throws InterruptedException {
        long before = EngineGauges.generatedTokens(streaming.metrics());
        RuntimeException boom = new IllegalStateException("the client went away");
        Recorder r = new Recorder() {
            @Override
            public void onPartialResponse(String piece) {
                super.onPartialResponse(piece);
                throw boom;
            }
        };
        streaming.chat(longRequest(), r);
        assertSame(boom, r.error.get(), "the handler's own exception reaches onError");
        assertNull(r.complete.get());
        assertEquals(1, r.pieces.size());
        assertDecodingStopped(streaming.metrics(), before, 50, "the handler threw");
    }

    @Test
    void cancellingThroughTheHandleStopsTheDecoding() throws InterruptedException {
        long before = EngineGauges.generatedTokens(streaming.metrics());
        AtomicBoolean later = new AtomicBoolean();
        Recorder r = new Recorder() {
            @Override
            public void onPartialResponse(PartialResponse piece, PartialResponseContext context) {
                if (!pieces.isEmpty()) {
                    later.set(true);
                }
                pieces.add(piece.text());
                context.streamingHandle().cancel();
                assertTrue(context.streamingHandle().isCancelled());
            }
        };
        streaming.chat(longRequest(), r);
        assertFalse(later.get(), "no piece after the cancel");
        assertNull(r.complete.get(), "no callback after the cancel");
        assertNull(r.error.get(), "no callback after the cancel");
        assertDecodingStopped(streaming.metrics(), before, 50, "the cancel");
    }

    @Test
    void interruptingTheCallersThreadStopsTheDecoding() throws Exception {
        long before = EngineGauges.generatedTokens(streaming.metrics());
        CountDownLatch first = new CountDownLatch(1);
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Recorder r = new Recorder() {
            @Override
            public void onPartialResponse(String piece) {
                super.onPartialResponse(piece);
                first.countDown();
            }
        };
        Thread caller = Thread.ofPlatform().start(() -> {
            streaming.chat(longRequest(), r);
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        assertTrue(first.await(30, TimeUnit.SECONDS));
        caller.interrupt();
        caller.join(30_000);
        assertInstanceOf(LangChain4jException.class, r.error.get());
        assertInstanceOf(InterruptedException.class, r.error.get().getCause());
        assertTrue(interruptedAfter.get(), "the thread keeps its interrupt status");
        assertNull(r.complete.get());
        assertDecodingStopped(streaming.metrics(), before, LONG / 2, "the interrupt");

        // The blocking model's caller, interrupted while it waits for the answer.
        long blockingBefore = EngineGauges.generatedTokens(blocking.metrics());
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                blocking.chat(longRequest());
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        long end = System.nanoTime() + 30_000_000_000L;
        while (EngineGauges.generatedTokens(blocking.metrics()) == blockingBefore && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        waiter.interrupt();
        waiter.join(30_000);
        assertInstanceOf(LangChain4jException.class, thrown.get());
        assertInstanceOf(InterruptedException.class, thrown.get().getCause());
        assertDecodingStopped(blocking.metrics(), blockingBefore, LONG / 2, "the blocking caller's interrupt");
    }

    /** The batch empties with fewer than {@code below} tokens decoded since {@code before}. */
    private static void assertDecodingStopped(Metrics metrics, long before, int below, String after)
            throws InterruptedException {
        EngineGauges.awaitEmptyBatch(metrics);
        long decoded = EngineGauges.generatedTokens(metrics) - before;
        assertTrue(decoded < below, "decoding went on after " + after + ": " + decoded + " tokens");
    }
}
