package dev.idefics4j.server;

import dev.idefics4j.generation.GenerationResult;
import dev.idefics4j.generation.GenerationTokenizer;
import dev.idefics4j.generation.Generator;
import dev.idefics4j.generation.SequenceDecoder;
import dev.idefics4j.generation.TextStreamer;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.Processor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Continuous batching on one thread: between two decoding steps, waiting jobs join the running batch (each
 * prefilled once, its images encoded once) as long as the batch has room, and every step then advances all running
 * sequences by one token in a single model call ({@link SequenceDecoder#step}). A job leaves as soon as its
 * sequences finish or its client cancels; the others never wait for it. The queue is bounded: an HTTP request takes
 * its place once its images are fetched and decoded (so slow image hosts hold download slots, not queue places), and
 * is refused when none is left, before any work when the queue is already full at its arrival; an in-process caller
 * waits for a place before it is prepared.
 */
final class BatchEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BatchEngine.class.getName());

    private final VisionLanguageModel model;
    private final Processor processor;
    private final GenerationTokenizer generationTokenizer;
    private final Metrics metrics;
    private final int maxBatch;
    private final int maxQueue;
    private final Semaphore places;
    /** HTTP requests whose images are being fetched and decoded: accepted, not yet queued; a drain waits for them. */
    private final AtomicInteger preparing = new AtomicInteger();
    private final LinkedBlockingDeque<Job> waiting = new LinkedBlockingDeque<>();
    private final List<Job> running = new ArrayList<>();
    private final Thread thread;
    private volatile int runningSequences;
    private volatile boolean accepting = true;
    private volatile boolean paused;
    private volatile boolean stepsHeld;
    private volatile boolean stopped;

    BatchEngine(VisionLanguageModel model, Processor processor, Metrics metrics, int maxBatch, int maxQueue) {
        this.model = model;
        this.processor = processor;
        this.generationTokenizer = GenerationTokenizer.of(processor.tokenizer());
        this.metrics = metrics;
        this.maxBatch = maxBatch;
        this.maxQueue = maxQueue;
        this.places = new Semaphore(maxQueue);
        metrics.gauges(this::queueSize, () -> runningSequences);
        thread = Thread.ofPlatform().name("idefics4j-batch").daemon().unstarted(this::loop);
        thread.start();
    }

    /** Requests queued for the running batch (an in-process caller's from before it is prepared). */
    int queueSize() {
        return maxQueue - places.availablePermits();
    }

    int runningSequences() {
        return runningSequences;
    }

    /** Prepared jobs waiting to join the batch (a part of {@link #queueSize}). */
    int waitingJobs() {
        return waiting.size();
    }

    /** HTTP requests being prepared: accepted, their images being fetched and decoded, not yet queued. */
    int preparing() {
        return preparing.get();
    }

    /**
     * Accepts a request for preparation (its images fetched and decoded) before it takes a queue place; end it with
     * {@link #endPreparing} whatever happens. A queue already full refuses it before any work.
     *
     * @throws ApiError 429 when the queue is full, 503 while shutting down
     */
    void beginPreparing() {
        preparing.incrementAndGet(); // first, so that a drain that starts now waits for this request
        if (!accepting) {
            preparing.decrementAndGet();
            throw new ApiError(ApiError.Kind.UNAVAILABLE, "the server is shutting down and takes no new requests; "
                    + "retry against another instance or after it restarts", null, "shutting_down");
        }
        if (places.availablePermits() == 0) {
            preparing.decrementAndGet();
            throw queueFull();
        }
    }

    void endPreparing() {
        preparing.decrementAndGet();
    }

    /**
     * Queues a prepared request in a place of its own; its place is given back when it joins the batch.
     *
     * @throws ApiError 429 when the queue filled while it was prepared
     */
    void enqueue(Job job) {
        if (!places.tryAcquire()) {
            throw queueFull();
        }
        submit(job);
    }

    private ApiError queueFull() {
        return new ApiError(ApiError.Kind.OVERLOADED, "the server is at capacity: " + maxQueue + " requests are "
                + "already queued; retry after a short wait", null, "queue_full");
    }

    /**
     * Takes a place in the queue, waiting for one while the queue is full: the in-process callers' backpressure,
     * where the HTTP routes answer 429.
     *
     * @throws ApiError 503 while shutting down
     */
    void reserveWaiting() throws InterruptedException {
        if (!accepting) {
            throw new ApiError(ApiError.Kind.UNAVAILABLE, "the model has been closed and takes no new requests");
        }
        places.acquire();
        if (!accepting) {
            places.release();
            throw new ApiError(ApiError.Kind.UNAVAILABLE, "the model was closed while this request waited");
        }
    }

    void release() {
        places.release();
    }

    /** Queues a prepared job that holds a place; the place is given back when it joins the batch. */
    void submit(Job job) {
        synchronized (this) {
            if (!stopped) {
                waiting.add(job);
                return;
            }
        }
        // Prepared after the drain gave up: nothing will run it.
        places.release();
        job.emit(new JobEvent.Failed(shutDown()));
    }

    private static ApiError shutDown() {
        return new ApiError(ApiError.Kind.UNAVAILABLE, "the server shut down before this request finished");
    }

    /** Stops admitting new jobs to the batch (running ones go on); for tests of a full queue. */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    /**
     * Stops decoding steps (cancelled jobs still leave the batch); for tests that must act on a running request
     * before it could finish, however fast the machine.
     */
    void holdSteps(boolean hold) {
        stepsHeld = hold;
    }

    private void loop() {
        while (!stopped) {
            try {
                admit();
                dropCancelled();
                if (running.isEmpty()) {
                    Job next = waiting.poll(20, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        waiting.addFirst(next);
                    }
                    continue;
                }
                if (stepsHeld) {
                    Thread.sleep(1);
                    continue;
                }
                step();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | Error e) {
                LOG.log(Level.SEVERE, "decoding step failed; failing the running requests "
                        + running.stream().map(job -> job.id).toList(), e);
                failRunning(new ApiError(ApiError.Kind.FAILED, "generation failed: " + e));
            }
        }
    }

    /** Moves waiting jobs into the batch while it has room for all of a job's sequences. */
    private void admit() {
        while (!paused) {
            Job job = waiting.peek();
            if (job == null || (!running.isEmpty() && runningSequences + job.choices() > maxBatch)) {
                return;
            }
            waiting.poll();
            try {
                start(job);
            } finally {
                places.release(); // only now, so that a drain always sees the job in the queue or in the batch
            }
        }
    }

    /** Prefills a job and adds it to the running batch, or fails it; a beam search runs whole. */
    private void start(Job job) {
        if (job.cancelled()) {
            return;
        }
        if (job.request.config().numBeams() > 1) {
            searchBeams(job);
            return;
        }
        try {
            job.decoders = SequenceDecoder.start(model, generationTokenizer, job.request.inputs(),
                    job.request.config());
        } catch (RuntimeException | Error e) {
            fail(job, "prefill", e);
            return;
        }
        job.decoders.forEach(d -> d.recordLogprobs(job.request.logprobs()));
        job.streamer = new TextStreamer(ids -> processor.decode(ids, true),
                (row, text, finished) -> job.pendingText[row].append(text));
        running.add(job);
        runningSequences += job.choices();
        metrics.promptTokens(job.request.promptTokens());
    }

    /**
     * Beam search, whose beams are only final at the end, cannot join the step-by-step batch: it runs whole here,
     * on the engine's thread (the only one that drives the model), while the running batch waits, and each choice
     * arrives as one token event that ends it.
     */
    private void searchBeams(Job job) {
        List<GenerationResult> results;
        try {
            results = new Generator(model, generationTokenizer).generate(job.request.inputs(), job.request.config());
        } catch (RuntimeException | Error e) {
            fail(job, "beam search", e);
            return;
        }
        metrics.promptTokens(job.request.promptTokens());
        for (int i = 0; i < results.size(); i++) {
            int[] tokens = results.get(i).producedIds();
            String text = processor.decode(tokens, true);
            JobEvent.Ending end = new JobEvent.Ending(results.get(i).finishReason(), tokens, text);
            job.emit(new JobEvent.Token(i, tokens.length == 0 ? 0 : tokens[tokens.length - 1], text, Float.NaN, end));
        }
    }

    /** Fails a job that could not start: settings its prompt cannot take are the request's fault, the rest ours. */
    private void fail(Job job, String stage, Throwable e) {
        if (e instanceof IllegalArgumentException) {
            job.emit(new JobEvent.Failed(ApiError.invalid(null, e.getMessage())));
            return;
        }
        LOG.log(Level.SEVERE, stage + " of request " + job.id + " failed", e);
        job.emit(new JobEvent.Failed(new ApiError(ApiError.Kind.FAILED, "generation failed: " + e)));
    }

    private void dropCancelled() {
        running.removeIf(job -> {
            if (job.cancelled()) {
                runningSequences -= job.decoders.size() - count(job.done);
                return true;
            }
            return false;
        });
    }

    private void step() {
        List<SequenceDecoder> all = new ArrayList<>(runningSequences);
        for (Job job : running) {
            for (int i = 0; i < job.decoders.size(); i++) {
                if (!job.done[i]) {
                    all.add(job.decoders.get(i));
                }
            }
        }
        SequenceDecoder.step(all);
        long now = System.nanoTime();
        metrics.step(all.size());
        running.removeIf(job -> {
            deliver(job, now);
            return job.allDone();
        });
    }

    /** Hands a job's new tokens (and finished choices) to its waiting request. */
    private void deliver(Job job, long now) {
        int n = job.decoders.size();
        int[] next = new int[n];
        boolean[] finished = new boolean[n];
        for (int i = 0; i < n; i++) {
            SequenceDecoder d = job.decoders.get(i);
            finished[i] = d.finished();
            next[i] = d.produced() > 0 ? d.lastToken() : 0;
        }
        job.streamer.onTokens(job.step++, next, finished);
        for (int i = 0; i < n; i++) {
            if (job.done[i]) {
                continue;
            }
            SequenceDecoder d = job.decoders.get(i);
            if (job.lastTokenNanos[i] == 0) {
                metrics.timeToFirstToken((now - job.arrivalNanos) / 1e9);
            } else {
                metrics.timePerToken((now - job.lastTokenNanos[i]) / 1e9);
            }
            job.lastTokenNanos[i] = now;
            JobEvent.Ending end = null;
            if (finished[i]) {
                job.done[i] = true;
                runningSequences--;
                int[] tokens = d.newTokens();
                end = new JobEvent.Ending(d.finishReason(), tokens, processor.decode(tokens, true));
            }
            job.emit(new JobEvent.Token(i, next[i], job.pendingText[i].toString(), d.lastLogprob(), end));
            job.pendingText[i].setLength(0);
        }
    }

    private void failRunning(ApiError error) {
        for (Job job : running) {
            job.emit(new JobEvent.Failed(error));
        }
        running.clear();
        runningSequences = 0;
    }

    private static int count(boolean[] flags) {
        int c = 0;
        for (boolean f : flags) {
            c += f ? 1 : 0;
        }
        return c;
    }

    /**
     * Stops taking requests, lets the queued and running ones finish for up to {@code drain}, then fails whatever
     * is left and stops the thread.
     */
    void shutdown(Duration drain) {
        accepting = false;
        paused = false;
        long end = System.nanoTime() + drain.toNanos();
        while (System.nanoTime() < end && (queueSize() > 0 || preparing.get() > 0 || runningSequences > 0)) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (this) {
            stopped = true;
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ApiError gone = shutDown();
        failRunning(gone);
        for (Job job; (job = waiting.poll()) != null; ) {
            job.emit(new JobEvent.Failed(gone));
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
