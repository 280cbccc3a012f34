package dev.idefics4j.server;

import dev.idefics4j.Idefics;
import dev.idefics4j.generation.FinishReason;
import dev.idefics4j.image.ImageLoader;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The server's chat without HTTP, for callers in the same JVM (idefics4j-langchain4j): the conversation becomes the
 * prompt {@code /v1/chat/completions} gives the model ({@link RequestPreparer#chatPrompt}), images go through the
 * same resolver, caps and address policy, the same limits are checked, and requests from any number of threads
 * are decoded together in the same continuous batch ({@link BatchEngine}). Nothing here touches Javalin or Jetty.
 * The answer is the chat route's: leading whitespace dropped, cut before a stop string. When the queue is full, a
 * caller waits for a place.
 */
public final class InProcessEngine implements AutoCloseable {
    private final Idefics idefics;
    private final ServerConfig config;
    private final ImageLoader imageLoader;
    private final RequestPreparer preparer;
    private final BatchEngine engine;
    private final Metrics metrics = new Metrics();
    private final AtomicLong requests = new AtomicLong();

    /**
     * Starts the engine's thread on a loaded model.
     *
     * @param config the limits, image policy and batch sizes (the HTTP settings, host, port, key, UI and body size,
     *               are not used)
     * @param names  how refusals name the limits (the caller's settings)
     */
    public InProcessEngine(Idefics idefics, ServerConfig config, LimitNames names) {
        this.idefics = idefics;
        this.config = config;
        this.imageLoader = new ImageLoader(config.images());
        this.preparer = RequestPreparer.guarded(idefics, config, names, imageLoader);
        this.engine = new BatchEngine(idefics.model(), idefics.processor(), metrics, config.maxBatchSize(),
                config.maxQueue());
        metrics.preparationGauges(engine::preparing, preparer::fetchesInFlight, preparer::decodeBytesHeld);
    }

    public Idefics idefics() {
        return idefics;
    }

    public ServerConfig config() {
        return config;
    }

    /** The engine's counters: tokens, the batch and the queue, and the steps that decoded several sequences. */
    public Metrics metrics() {
        return metrics;
    }

    /**
     * Accepts a conversation for generation: takes a place in the queue (waiting while it is full), prepares the
     * prompt within the limits (images fetched and decoded) and queues it for the running batch.
     *
     * @param parameters   generation parameters by the reference's names ({@code do_sample}, {@code temperature},
     *                     {@code top_k}, {@code top_p}, {@code seed}, {@code repetition_penalty},
     *                     {@code min_new_tokens}, {@code num_beams}, {@code bad_words}, {@code stop}, ...) over the
     *                     checkpoint's chat settings; one answer per request
     * @param maxNewTokens null: everything {@link ServerConfig#maxTotalTokens()} leaves after the prompt
     * @param maxNewName   the caller's name for {@code maxNewTokens}, for refusals
     * @throws ApiError             {@link ApiError.Kind#INVALID} for the messages, an image, a limit or a parameter;
     *                              {@link ApiError.Kind#TOO_LARGE} for an image larger than the decode memory
     *                              budget, {@link ApiError.Kind#OVERLOADED} while other requests hold that budget
     *                              or every download slot; {@link ApiError.Kind#UNAVAILABLE} once closed
     * @throws InterruptedException while waiting for a place in the queue
     */
    public Generation chat(List<ChatPrompt.Message> messages, Map<String, ?> parameters, Integer maxNewTokens,
                           String maxNewName) throws InterruptedException {
        Object n = parameters.get("num_return_sequences");
        if (n != null && !(n instanceof Number k && k.intValue() == 1)) {
            throw ApiError.invalid("num_return_sequences", "one answer per request: num_return_sequences must be "
                    + "1, got " + n);
        }
        long arrival = System.nanoTime();
        List<PromptPart> prompt = preparer.chatPrompt(messages);
        engine.reserveWaiting();
        PreparedRequest prepared;
        try {
            prepared = preparer.prepare(prompt, new LinkedHashMap<>(parameters), maxNewTokens, maxNewName,
                    "messages", false, () -> false);
        } catch (RuntimeException | Error e) {
            engine.release();
            throw e;
        }
        Job job = new Job("in-process-" + requests.incrementAndGet(), prepared, arrival, () -> false);
        engine.submit(job);
        return new Generation(job);
    }

    /** Lets the accepted requests finish for up to {@code drain}, fails what is left, and stops the thread. */
    public void shutdown(Duration drain) {
        engine.shutdown(drain);
        imageLoader.close();
    }

    /** Stops at once: requests still running fail. The model itself stays open. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    /** A request accepted by {@link #chat}: its answer is awaited by one thread. */
    public static final class Generation {
        private final Job job;

        private Generation(Job job) {
            this.job = job;
        }

        /** The prompt's tokens, each image counted as its tokens. */
        public int promptTokens() {
            return job.request.promptTokens();
        }

        /** Stops generating: the request leaves the batch at the next step. */
        public void cancel() {
            job.cancel();
        }

        public boolean cancelled() {
            return job.cancelled();
        }

        /**
         * Waits for the answer, handing its text to {@code onText} as it is decoded: whole characters, the leading
         * whitespace dropped, and nothing of a stop string. An exception thrown by {@code onText} cancels the
         * request and is rethrown; so is an interruption of the waiting thread.
         *
         * @param onText null when only the whole answer is wanted
         * @throws ApiError              when generation failed, or the engine was closed
         * @throws CancellationException when {@link #cancel} was called (from {@code onText}, say)
         */
        public Answer await(Consumer<String> onText) throws InterruptedException {
            ChoiceText text = new ChoiceText(job.request.config().stop(), true);
            try {
                while (true) {
                    if (job.cancelled()) {
                        throw new CancellationException("the request was cancelled");
                    }
                    JobEvent event = job.next(100);
                    if (event instanceof JobEvent.Failed(ApiError error)) {
                        throw error;
                    }
                    if (!(event instanceof JobEvent.Token t)) {
                        continue;
                    }
                    String delta = text.add(t.text()) + (t.end() == null ? "" : text.finish());
                    if (onText != null && !delta.isEmpty()) {
                        onText.accept(delta);
                    }
                    if (t.end() != null) {
                        return new Answer(text.text(), t.end().reason(), promptTokens(), t.end().tokens().length);
                    }
                }
            } catch (InterruptedException | RuntimeException | Error e) {
                job.cancel();
                throw e;
            }
        }
    }

    /**
     * A finished answer.
     *
     * @param finishReason     end of sequence or utterance, a stop string, or the token limit
     * @param completionTokens the new tokens (a finishing end-of-sequence token included)
     */
    public record Answer(String text, FinishReason finishReason, int promptTokens, int completionTokens) {
    }
}
