package dev.idefics4j.image;

/**
 * How a decoded image with transparency (RGBA, LA, palette or PNG tRNS transparency) becomes 8-bit RGB. The IDEFICS
 * processors differ here: IDEFICS v1 and Idefics2 convert inside the image processor, Idefics3 only accepts 3-channel
 * images, which callers make with transformers' {@code load_image}.
 */
public enum RgbConversion {
    /**
     * transformers' {@code convert_to_rgb}: Pillow's {@code convert("RGBA")}, alpha-composited over opaque white,
     * alpha dropped. Transparent pixels become white.
     */
    OVER_WHITE,
    /**
     * Pillow's {@code convert("RGB")}, as transformers' {@code load_image}: the colour channels as stored, alpha
     * dropped without compositing (a palette's transparent index shows its palette colour).
     */
    DROP_ALPHA
}
