package dev.idefics4j.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs loop bodies over all configured cores. Kernels split their work into a few coarse chunks (a small multiple
 * of the thread count) that threads claim from a shared counter: a core slowed by another process simply claims
 * fewer chunks, and the fork/join overhead stays far below the work itself. The calling thread takes chunks too.
 */
public final class Parallel {
    /** Chunks per thread: enough to even out a busy core, few enough that claiming one costs nothing. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    /**
     * One worker fewer than the thread count: the caller is the last one. A pool as large as the count lets an
     * idle worker spin looking for work on a core the others need.
     */
    private static volatile ForkJoinPool pool = newPool(threads - 1);

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
        if (threads != Parallel.threads) {
            ForkJoinPool old = pool;
            pool = newPool(threads - 1);
            Parallel.threads = threads;
            old.shutdown();
        }
    }

    public static int threads() {
        return threads;
    }

    /** Calls {@code body} for every index in [0, n); runs in parallel when {@code parallel} is true and n > 1. */
    public static void forEach(int n, boolean parallel, IntConsumer body) {
        ForkJoinPool p = pool;
        if (!parallel || n <= 1 || threads == 1) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        share(p, n, body);
    }

    /**
     * Splits [0, n) into contiguous chunks, about {@value #CHUNKS_PER_THREAD} per thread, and calls
     * {@code body(start, end)} for each; serial when the total work ({@code n * costPerItem}) is small.
     */
    public static void forChunks(int n, long costPerItem, RangeBody body) {
        forChunks(n, costPerItem, CHUNKS_PER_THREAD, body);
    }

    /** As {@link #forChunks(int, long, RangeBody)}, with about {@code chunksPerThread} chunks per thread. */
    public static void forChunks(int n, long costPerItem, int chunksPerThread, RangeBody body) {
        ForkJoinPool p = pool;
        int threads = Parallel.threads;
        long work = (long) n * Math.max(1, costPerItem);
        if (threads == 1 || n < 2 || work < 32_768) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads * Math.max(1, chunksPerThread));
        share(p, chunks, c -> {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            if (start < end) {
                body.run(start, end);
            }
        });
    }

    /** Runs {@code body(0..n-1)} on the calling thread and up to threads-1 pool workers claiming indices. */
    private static void share(ForkJoinPool p, int n, IntConsumer body) {
        AtomicInteger next = new AtomicInteger();
        Runnable drain = () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                body.accept(i);
            }
        };
        int helpers = Math.min(threads, n) - 1;
        boolean inPool = ForkJoinTask.getPool() == p;
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[helpers];
        for (int i = 0; i < helpers; i++) {
            // A worker forks into its own queue (idle workers steal from it); others submit from outside.
            tasks[i] = inPool ? ForkJoinTask.adapt(drain).fork() : p.submit(drain);
        }
        Throwable failure = null;
        try {
            drain.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : tasks) {
            try {
                t.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }
}
