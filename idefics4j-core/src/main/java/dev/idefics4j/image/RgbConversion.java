package dev.idefics4j.image;

/**
 * How a decoded image with transparency (RGBA, LA, palette or PNG tRNS transparency) becomes 8-bit RGB. The IDEFICS
 * processors differ here: IDEFICS v1's image processor composites over white; Idefics2's uses transformers' generic
 * {@code convert_to_rgb}, a plain {@code convert("RGB")}; Idefics3's only accepts 3-channel images, which callers
 * make with {@code load_image}, also {@code convert("RGB")}.
 */
public enum RgbConversion {
    /**
     * IDEFICS v1's {@code convert_to_rgb}: Pillow's {@code convert("RGBA")}, alpha-composited over opaque white,
     * alpha dropped. Transparent pixels become white.
     */
    OVER_WHITE,
    /**
     * Pillow's {@code convert("RGB")}, as transformers' {@code load_image} and {@code image_transforms.convert_to_rgb}:
     * the colour channels as stored, alpha dropped without compositing (a palette's transparent index shows its
     * palette colour).
     */
    DROP_ALPHA
}
