package dev.idefics4j.image;

import java.util.Arrays;

/** An 8-bit RGB image, pixels interleaved R, G, B row by row (the layout of a Pillow "RGB" image's bytes). */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] pixels;

    /** Takes ownership of {@code pixels} ({@code width * height * 3} bytes); the caller must not change it after. */
    public RgbImage(int width, int height, byte[] pixels) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != pixels.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs "
                    + (long) width * height * 3 + " bytes, got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Sample 0..255 of channel {@code c} (0 red, 1 green, 2 blue) at column {@code x}, row {@code y}. */
    public int sample(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    /** The {@code width} x {@code height} region whose top-left pixel is ({@code x}, {@code y}), as a new image. */
    public RgbImage crop(int x, int y, int width, int height) {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > this.width || y + height > this.height) {
            throw new IllegalArgumentException("crop " + width + "x" + height + " at (" + x + ", " + y
                    + ") does not lie inside a " + this.width + "x" + this.height + " image");
        }
        byte[] out = new byte[width * height * 3];
        for (int row = 0; row < height; row++) {
            System.arraycopy(pixels, ((y + row) * this.width + x) * 3, out, row * width * 3, width * 3);
        }
        return new RgbImage(width, height, out);
    }

    /** A copy of the interleaved RGB bytes. */
    public byte[] toBytes() {
        return pixels.clone();
    }

    /** The backing bytes, for this package's pixel loops; never handed out. */
    byte[] data() {
        return pixels;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && width == other.width && height == other.height
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
