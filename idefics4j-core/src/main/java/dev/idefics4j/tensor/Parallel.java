package dev.idefics4j.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs loop bodies over all configured cores. Kernels split their work into a few coarse chunks (one per thread or
 * a small multiple) so that the fork/join overhead stays far below the work itself.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(Runtime.getRuntime().availableProcessors());

    private Parallel() {
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(Math.max(1, threads), p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setDaemon(true);
            t.setName("idefics4j-compute-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    /** Sets how many threads kernels use (default: all available processors). */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (threads != pool.getParallelism()) {
            ForkJoinPool old = pool;
            pool = newPool(threads);
            old.shutdown();
        }
    }

    public static int threads() {
        return pool.getParallelism();
    }

    /** Calls {@code body} for every index in [0, n); runs in parallel when {@code parallel} is true and n > 1. */
    public static void forEach(int n, boolean parallel, IntConsumer body) {
        if (!parallel || n <= 1 || pool.getParallelism() == 1) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        ForkJoinPool p = pool;
        if (java.util.concurrent.ForkJoinTask.getPool() == p) {
            IntStream.range(0, n).parallel().forEach(body);
        } else {
            p.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
        }
    }

    /**
     * Splits [0, n) into contiguous chunks, about {@code chunksPerThread} per thread, and calls
     * {@code body(start, end)} for each; serial when the total work ({@code n * costPerItem}) is small.
     */
    public static void forChunks(int n, long costPerItem, RangeBody body) {
        int threads = pool.getParallelism();
        long work = (long) n * Math.max(1, costPerItem);
        if (threads == 1 || n < 2 || work < 32_768) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads * 4);
        forEach(chunks, true, c -> {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            if (start < end) {
                body.run(start, end);
            }
        });
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }
}
