package dev.idefics4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a response body that stops delivering data. {@link java.net.http.HttpClient}'s timeout covers only the wait
 * for the headers, so a stalled storage connection would block a read forever; closing the stream wakes the read
 * with an IOException, which the downloader treats like a cut connection and resumes.
 */
final class StallGuard implements AutoCloseable {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "idefics4j-hub-stall-guard");
        t.setDaemon(true);
        return t;
    });

    private final InputStream in;
    private final long limitNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastData = System.nanoTime();
    private volatile boolean stalled;

    StallGuard(InputStream in, Duration limit) {
        this.in = in;
        this.limitNanos = limit.toNanos();
        long period = Math.max(10, limit.toMillis() / 4);
        this.check = WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** As {@link InputStream#read(byte[])}, failing once no byte has come for the limit. */
    int read(byte[] buf) throws IOException {
        try {
            int n = in.read(buf);
            lastData = System.nanoTime();
            return n;
        } catch (IOException e) {
            if (stalled) {
                throw new IOException("no data for " + limitNanos / 1_000_000 + " ms", e);
            }
            throw e;
        }
    }

    private void check() {
        if (System.nanoTime() - lastData > limitNanos) {
            stalled = true;
            try {
                in.close();
            } catch (IOException e) {
                // the reader sees the stream closed either way
            }
        }
    }

    @Override
    public void close() {
        check.cancel(false);
    }
}
