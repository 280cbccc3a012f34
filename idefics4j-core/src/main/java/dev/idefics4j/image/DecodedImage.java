package dev.idefics4j.image;

import java.util.Objects;

/**
 * A loaded image and the decoder that read it: {@code "libjpeg-turbo"} or {@code "libwebp"} (the libraries Pillow
 * decodes with, called natively: Pillow's pixels exactly), or a pure-Java one: {@code "java-imageio"} (the JDK's
 * readers: PNG, GIF, BMP, TIFF, and JPEG where libjpeg-turbo is missing), {@code "twelvemonkeys-webp"} (WebP where
 * libwebp is missing); {@code "none"} for an image handed over already decoded.
 */
public record DecodedImage(RgbImage image, String decoder) {
    public DecodedImage {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(decoder, "decoder");
    }
}
