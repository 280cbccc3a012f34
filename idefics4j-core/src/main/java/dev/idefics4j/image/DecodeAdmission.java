package dev.idefics4j.image;

/**
 * One decode's admission, made by the decoder once the header has given the image's size and before anything of
 * that size is allocated: the pixel cap of {@link ImageLimits}, then the decode's peak bytes reserved from a
 * {@link DecodeMemory}, given back (but for the RGB image's) when {@link ImageDecoder} ends the decode.
 */
final class DecodeAdmission {
    /**
     * Copies of the encoded bytes a decode holds beside the caller's: the native decoders copy them off the heap,
     * ImageIO's stream caches them (and ICC stripping may copy them once more).
     */
    private static final int ENCODED_COPIES = 2;

    private final String where;
    private final ImageFormat format;
    private final ImageLimits limits;
    private final DecodeMemory memory;
    private final long encodedBytes;
    private DecodeMemory.Reservation reservation;
    private long pixels;

    DecodeAdmission(String where, ImageFormat format, ImageLimits limits, DecodeMemory memory, long encodedBytes) {
        this.where = where;
        this.format = format;
        this.limits = limits;
        this.memory = memory;
        this.encodedBytes = encodedBytes;
    }

    /** No budget, the pixel cap alone (the decoders' own tests). */
    static DecodeAdmission unlimited(String where, ImageFormat format, ImageLimits limits) {
        return new DecodeAdmission(where, format, limits, DecodeMemory.UNLIMITED, 0);
    }

    ImageLimits limits() {
        return limits;
    }

    /**
     * Checks the pixel cap on the header's size, then reserves {@code bytesPerPixel} for each pixel (what the
     * decoder path holds at its peak) plus the copies of the encoded bytes.
     */
    void admit(long width, long height, long bytesPerPixel) {
        ImageDecoder.checkSize(width, height, where, format, limits);
        if (reservation != null) {
            throw new IllegalStateException(where + ": a decode is admitted once");
        }
        long peak = width * height * bytesPerPixel + ENCODED_COPIES * encodedBytes;
        reservation = memory.reserve(where, (int) width, (int) height, peak);
        pixels = width * height;
    }

    /** The decode is over: all but the RGB image's bytes (all of them when it failed) are given back. */
    void end(boolean decoded) {
        DecodeMemory.Reservation r = reservation;
        reservation = null;
        if (r != null) {
            r.release(decoded ? pixels * 3 : 0);
        }
    }
}
