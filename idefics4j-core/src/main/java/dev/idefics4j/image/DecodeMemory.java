package dev.idefics4j.image;

/**
 * Memory for decoding, asked for before the pixels are allocated: once an image's header has given its size, a
 * decode reserves the bytes it will hold at its peak (the decoder's samples, the RGB image made from them, copies of
 * the encoded bytes and the decoder's own full-size buffers) and, when it ends, gives back all but what its RGB image
 * keeps. A server admits decodes against a budget this way; {@link #UNLIMITED} admits every decode.
 */
@FunctionalInterface
public interface DecodeMemory {
    /** Every decode goes ahead. */
    DecodeMemory UNLIMITED = (where, width, height, peakBytes) -> keptBytes -> {
    };

    /**
     * Reserves what decoding a {@code width} x {@code height} image will hold at once.
     *
     * @param where     the image, for messages
     * @param peakBytes the most bytes the decode holds at once
     * @throws ImageLoadException to refuse the decode (nothing is allocated then); it reaches the loader's caller
     *                            unchanged, so a subclass can carry the reason
     */
    Reservation reserve(String where, int width, int height, long peakBytes);

    /** Memory reserved for one decode. */
    @FunctionalInterface
    interface Reservation {
        /**
         * The decode has ended: of the reserved bytes, {@code keptBytes} stay held by its result (the RGB image,
         * 3 bytes a pixel; 0 when the decode failed), the rest is free again.
         */
        void release(long keptBytes);
    }
}
