/**
 * Idefics3 and SmolVLM ({@code model_type} "idefics3"): what is theirs alone. So far the processor side:
 * {@link dev.idefics4j.model.idefics3.Idefics3ImageProcessor} (longest-edge LANCZOS resize, tiles of
 * {@code max_image_size} plus a global image, batch padding with a pixel mask) and
 * {@link dev.idefics4j.model.idefics3.Idefics3Processor} (the row/column tile tokens of each image in the prompt,
 * tokenization, {@link dev.idefics4j.model.idefics3.Idefics3Inputs}).
 */
package dev.idefics4j.model.idefics3;
