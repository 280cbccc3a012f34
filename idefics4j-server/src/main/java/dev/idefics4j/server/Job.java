package dev.idefics4j.server;

import dev.idefics4j.generation.SequenceDecoder;
import dev.idefics4j.generation.TextStreamer;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A request accepted for generation: its prepared prompt and settings, the events it produces for the thread that
 * waits on it (an HTTP handler, or an in-process caller), and (on the engine's thread only) its decoders while it
 * runs. The waiting thread reads events and may cancel; the engine drops a cancelled job at the next step boundary.
 */
final class Job {
    /** The request's {@code x-request-id}, for log lines. */
    final String id;
    final PreparedRequest request;
    final long arrivalNanos;
    /** Whether the client went away; asked only by the thread that waits for the answer. */
    final BooleanSupplier clientGone;
    private final BlockingQueue<JobEvent> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;

    // Engine thread only.
    List<SequenceDecoder> decoders;
    TextStreamer streamer;
    final StringBuilder[] pendingText;
    final long[] lastTokenNanos;
    final boolean[] done;
    int step;

    Job(String id, PreparedRequest request, long arrivalNanos, BooleanSupplier clientGone) {
        this.id = id;
        this.request = request;
        this.arrivalNanos = arrivalNanos;
        this.clientGone = clientGone;
        int n = request.choices();
        pendingText = new StringBuilder[n];
        for (int i = 0; i < n; i++) {
            pendingText[i] = new StringBuilder();
        }
        lastTokenNanos = new long[n];
        done = new boolean[n];
    }

    int choices() {
        return request.choices();
    }

    /** The client went away or gave up: stop generating for it. */
    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    void emit(JobEvent event) {
        events.add(event);
    }

    /** The next event, waiting at most {@code millis}; null when none came. */
    JobEvent next(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }

    boolean allDone() {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }
}
