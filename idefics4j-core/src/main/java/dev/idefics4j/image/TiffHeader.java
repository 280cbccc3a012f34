package dev.idefics4j.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;

/**
 * The fields of a TIFF's first image directory that are checked before TwelveMonkeys reads it: its reader sizes
 * arrays from them unchecked (a SamplesPerPixel of a billion asks for gigabytes).
 */
final class TiffHeader {
    /** Pillow refuses more samples per pixel than this (its TIFF plugin's MAX_SAMPLESPERPIXEL). */
    static final int MAX_SAMPLES_PER_PIXEL = 6;
    private static final int SAMPLES_PER_PIXEL = 277;

    private TiffHeader() {
    }

    static void check(byte[] bytes, String where) {
        OptionalLong samples = firstDirectoryValue(bytes, SAMPLES_PER_PIXEL);
        if (samples.isPresent() && Long.compareUnsigned(samples.getAsLong(), MAX_SAMPLES_PER_PIXEL) > 0) {
            throw ImageLoadException.of(where, "TIFF SamplesPerPixel is " + Long.toUnsignedString(samples.getAsLong())
                    + "; at most " + MAX_SAMPLES_PER_PIXEL + " are supported, as in Pillow");
        }
    }

    /** The value of {@code tag} in the first directory (classic TIFF or BigTIFF), if it holds one integer there. */
    static OptionalLong firstDirectoryValue(byte[] bytes, int tag) {
        if (bytes.length < 8) {
            return OptionalLong.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(bytes[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        boolean big = (in.getShort(2) & 0xffff) == 43;
        if (big && bytes.length < 16) {
            return OptionalLong.empty();
        }
        long directory = big ? in.getLong(8) : in.getInt(4) & 0xffffffffL;
        int countSize = big ? 8 : 2;
        int entrySize = big ? 20 : 12;
        if (directory < 0 || directory > bytes.length - countSize) {
            return OptionalLong.empty();
        }
        long entries = big ? in.getLong((int) directory) : in.getShort((int) directory) & 0xffff;
        long first = directory + countSize;
        for (long i = 0; i < entries && first + (i + 1) * entrySize <= bytes.length; i++) {
            int at = (int) (first + i * entrySize);
            if ((in.getShort(at) & 0xffff) != tag) {
                continue;
            }
            int value = at + (big ? 12 : 8);
            return switch (in.getShort(at + 2) & 0xffff) {
                case 1 -> OptionalLong.of(in.get(value) & 0xff);
                case 3 -> OptionalLong.of(in.getShort(value) & 0xffff);
                case 4 -> OptionalLong.of(in.getInt(value) & 0xffffffffL);
                case 16 -> OptionalLong.of(in.getLong(value));
                default -> OptionalLong.empty();
            };
        }
        return OptionalLong.empty();
    }
}
