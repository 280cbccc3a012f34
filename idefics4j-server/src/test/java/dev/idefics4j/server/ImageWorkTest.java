package dev.idefics4j.server;

import dev.idefics4j.image.ImageLoadException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image work runs off the request's thread, its exceptions arrive unchanged, and its waiting line is bounded. */
class ImageWorkTest {
    @Test
    void exceptionsAndErrorsArriveAsTheyWereThrown() {
        ImageWork work = new ImageWork(4);
        ImageLoadException bad = new ImageLoadException("a.png: corrupt");
        assertSame(bad, assertThrows(ImageLoadException.class, () -> work.run(() -> {
            throw bad;
        })));
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space (simulated)");
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> work.run(() -> {
            throw oom;
        })));
        assertTrue(work.run(() -> Thread.currentThread().getName()).startsWith("idefics4j-images-"));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void pastTheWaitingBoundA429() throws Exception {
        ImageWork work = new ImageWork(1);
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        CountDownLatch busy = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            callers.add(Thread.ofVirtual().start(() -> work.run(() -> {
                busy.countDown();
                release.await();
                return 0;
            })));
        }
        busy.await();
        callers.add(Thread.ofVirtual().start(() -> work.run(() -> 1))); // waits for a thread
        while (work.waiting() < 1) {
            Thread.sleep(5);
        }
        ApiError full = assertThrows(ApiError.class, () -> work.run(() -> 2));
        assertEquals(ApiError.Kind.OVERLOADED, full.kind());
        assertEquals("decode_queue_full", full.openAiBody().get("error") instanceof java.util.Map<?, ?> error
                ? error.get("code") : null);
        assertTrue(full.getMessage().contains("--max-queue"), full.getMessage());
        release.countDown();
        for (Thread t : callers) {
            t.join();
        }
        assertEquals(3, work.run(() -> 3));
    }
}
