package dev.idefics4j.server;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Image downloads in flight across all requests, bounded on their own: a slow image host holds a download slot, not
 * a place in the batching queue, and a download past the limit is refused with 429 at once.
 */
final class FetchSlots {
    private final int capacity;
    private final Semaphore slots;
    private final LimitNames names;

    FetchSlots(int capacity, LimitNames names) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the download limit must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.slots = new Semaphore(capacity);
        this.names = names;
    }

    /** Runs one download in a slot. */
    <T> T hold(Supplier<T> download) {
        if (!slots.tryAcquire()) {
            throw new ApiError(ApiError.Kind.OVERLOADED, names.holder() + " is already downloading " + capacity
                    + " images, its limit (" + names.maxFetches() + "); retry after a short wait, or send the image "
                    + "as a data: URL", null, "too_many_fetches");
        }
        try {
            return download.get();
        } finally {
            slots.release();
        }
    }

    /** Downloads in flight now. */
    int inFlight() {
        return capacity - slots.availablePermits();
    }
}
