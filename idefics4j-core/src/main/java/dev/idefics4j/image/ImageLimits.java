package dev.idefics4j.image;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on what {@link ImageLoader} accepts, so that a hostile or broken source cannot exhaust memory or hang.
 *
 * @param maxEncodedBytes largest encoded image (file, download, data URL) in bytes; a download stops past it
 * @param maxPixels       largest width x height, checked from the image header before decoding
 * @param connectTimeout  time to open an HTTP connection
 * @param readTimeout     longest wait for the response headers and for each further piece of the body
 * @param maxRedirects    HTTP redirects followed before giving up
 */
public record ImageLimits(long maxEncodedBytes, long maxPixels, Duration connectTimeout, Duration readTimeout,
                          int maxRedirects) {
    /** Pillow's own decompression-bomb threshold (Image.MAX_IMAGE_PIXELS). */
    public static final long PILLOW_MAX_PIXELS = 89_478_485L;

    /** 64 MiB encoded, Pillow's pixel threshold, 10 s to connect, 30 s read timeout, 5 redirects. */
    public static final ImageLimits DEFAULTS = new ImageLimits(64L << 20, PILLOW_MAX_PIXELS,
            Duration.ofSeconds(10), Duration.ofSeconds(30), 5);

    public ImageLimits {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (maxEncodedBytes <= 0 || maxPixels <= 0 || maxRedirects < 0 || !isPositive(connectTimeout)
                || !isPositive(readTimeout)) {
            throw new IllegalArgumentException("image limits must be positive (redirects >= 0): maxEncodedBytes="
                    + maxEncodedBytes + " maxPixels=" + maxPixels + " connectTimeout=" + connectTimeout
                    + " readTimeout=" + readTimeout + " maxRedirects=" + maxRedirects);
        }
    }

    private static boolean isPositive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    public ImageLimits withMaxEncodedBytes(long value) {
        return new ImageLimits(value, maxPixels, connectTimeout, readTimeout, maxRedirects);
    }

    public ImageLimits withMaxPixels(long value) {
        return new ImageLimits(maxEncodedBytes, value, connectTimeout, readTimeout, maxRedirects);
    }

    public ImageLimits withConnectTimeout(Duration value) {
        return new ImageLimits(maxEncodedBytes, maxPixels, value, readTimeout, maxRedirects);
    }

    public ImageLimits withReadTimeout(Duration value) {
        return new ImageLimits(maxEncodedBytes, maxPixels, connectTimeout, value, maxRedirects);
    }

    public ImageLimits withMaxRedirects(int value) {
        return new ImageLimits(maxEncodedBytes, maxPixels, connectTimeout, readTimeout, value);
    }
}
