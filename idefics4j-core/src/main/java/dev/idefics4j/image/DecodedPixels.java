package dev.idefics4j.image;

/**
 * An image as Pillow holds it right after decoding, before any conversion: {@code channels} interleaved 8-bit samples
 * per pixel, row by row, in Pillow's mode L (1), RGB (3) or RGBA (4, alpha not premultiplied). The native decoders
 * return this; {@link PillowRgbConversion#toRgb(DecodedPixels)} makes the RGB image, so that alpha stays available
 * until then.
 */
record DecodedPixels(int width, int height, int channels, byte[] samples) {
    DecodedPixels {
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new IllegalArgumentException("channels must be 1 (L), 3 (RGB) or 4 (RGBA), got " + channels);
        }
        if ((long) width * height * channels != samples.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + "x" + channels + " image needs "
                    + (long) width * height * channels + " bytes, got " + samples.length);
        }
    }
}
