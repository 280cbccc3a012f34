package dev.idefics4j.server;

import dev.idefics4j.image.DecodeMemory;
import dev.idefics4j.image.ImageLoadException;

import java.util.Locale;

/**
 * The memory that all requests' image decodes may hold at once. Each decode reserves its peak, estimated from the
 * image's header before any pixel is allocated ({@link DecodeMemory}); when it ends, its request keeps the RGB
 * image's bytes until its images have been processed, and the rest is free again. A decode that needs more than the
 * whole budget (with what its own request already holds) is refused with 413; one that finds the budget held by
 * other requests, with 429. Nothing waits: a refusal comes at once.
 */
final class DecodeBudget {
    private final long capacity;
    private final LimitNames names;
    private long used; // guarded by this

    DecodeBudget(long capacity, LimitNames names) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the decode memory budget must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.names = names;
    }

    long capacity() {
        return capacity;
    }

    /** Bytes held now by decodes and by decoded images not yet processed. */
    synchronized long used() {
        return used;
    }

    /** A request's share of the budget; close it once the request's images have been processed. */
    Account account() {
        return new Account();
    }

    /** What one request's decodes hold. */
    final class Account implements DecodeMemory, AutoCloseable {
        private long held; // guarded by DecodeBudget.this

        @Override
        public Reservation reserve(String where, int width, int height, long peakBytes) {
            synchronized (DecodeBudget.this) {
                if (held + peakBytes > capacity) {
                    throw new Refusal(ApiError.Kind.TOO_LARGE, "decode_memory_exceeded", shorten(where)
                            + ": decoding this " + width + "x" + height + " image takes about " + size(peakBytes)
                            + " at its peak" + (held > 0 ? ", on top of the " + size(held) + " this request's other "
                            + "images hold," : "") + " more than " + names.holder() + "'s decode memory budget of "
                            + size(capacity) + " (its " + names.maxDecodeBytes() + "); send a smaller image");
                }
                if (used + peakBytes > capacity) {
                    throw new Refusal(ApiError.Kind.OVERLOADED, "decode_memory_busy", "the decode memory budget is "
                            + "in use: decoding " + shorten(where) + " (" + width + "x" + height + ") takes about "
                            + size(peakBytes) + ", and the images of requests being prepared hold " + size(used)
                            + " of the " + size(capacity) + " " + names.holder() + " allows (its "
                            + names.maxDecodeBytes() + "); retry after a short wait");
                }
                used += peakBytes;
                held += peakBytes;
            }
            return keptBytes -> give(peakBytes - Math.clamp(keptBytes, 0, peakBytes));
        }

        private void give(long bytes) {
            synchronized (DecodeBudget.this) {
                used -= bytes;
                held -= bytes;
            }
        }

        /** Gives back all the request still holds: its images have been processed (or it failed). */
        @Override
        public void close() {
            synchronized (DecodeBudget.this) {
                used -= held;
                held = 0;
            }
        }
    }

    /** A decode refused by the budget, before any pixel was allocated: the answer is {@link #error}. */
    static final class Refusal extends ImageLoadException {
        private final ApiError.Kind kind;
        private final String code;

        Refusal(ApiError.Kind kind, String code, String message) {
            super(message);
            this.kind = kind;
            this.code = code;
        }

        /** The answer: 413 for an image too large for the whole budget (its {@code param} named), 429 else. */
        ApiError error(String param) {
            return new ApiError(kind, getMessage(), kind == ApiError.Kind.TOO_LARGE ? param : null, code);
        }
    }

    private static String size(long bytes) {
        return bytes + " bytes (" + String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0) + ")";
    }

    private static String shorten(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
