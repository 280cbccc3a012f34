/**
 * Images in, IDEFICS pixel values out: {@link dev.idefics4j.image.ImageLoader} reads an
 * {@link dev.idefics4j.image.ImageSource} (file, http(s) URL, data URL, bytes, BufferedImage) into an
 * {@link dev.idefics4j.image.RgbImage} with the pixels Pillow 9.4 would give, and
 * {@link dev.idefics4j.image.IdeficsImageProcessor} turns it into the model's normalised tensor, resizing with
 * {@link dev.idefics4j.image.PillowResize} (bit-identical to Pillow's BICUBIC, BILINEAR and LANCZOS:
 * {@link dev.idefics4j.image.ResampleFilter}).
 */
package dev.idefics4j.image;
