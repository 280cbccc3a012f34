package dev.idefics4j.server;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where requests' images are decoded and processed: platform threads, one fewer than the cores (at least one), so
 * that seconds of CPU for large images never take every core from {@code /health}, text requests and the engine,
 * and the decodes in flight stay few. Requests waiting for a thread are bounded (429 past the bound).
 */
final class ImageWork {
    private final ThreadPoolExecutor threads;
    private final int maxWaiting;

    ImageWork(int maxWaiting) {
        int n = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        this.maxWaiting = maxWaiting;
        threads = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(maxWaiting),
                Thread.ofPlatform().name("idefics4j-images-", 0).daemon().factory());
        threads.allowCoreThreadTimeOut(true); // idle threads end: an engine closed and dropped leaves none behind
    }

    /** Requests waiting for an image thread now. */
    int waiting() {
        return threads.getQueue().size();
    }

    /** Runs {@code work} on an image thread and waits for it; its exceptions arrive as they were thrown. */
    <T> T run(Callable<T> work) {
        Future<T> result;
        try {
            result = threads.submit(work);
        } catch (RejectedExecutionException e) {
            throw new ApiError(ApiError.Kind.OVERLOADED, "the images of " + maxWaiting + " requests are already "
                    + "waiting to be decoded (as many as the queue holds, --max-queue); retry after a short wait",
                    null, "decode_queue_full");
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new ApiError(ApiError.Kind.CANCELLED, "interrupted while its images were decoded");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RuntimeException r -> throw r;
                case Error r -> throw r;
                default -> throw new IllegalStateException("image work failed", e.getCause());
            }
        }
    }
}
