/**
 * Idefics2 ({@code model_type} "idefics2"): what is its alone. So far the processor side:
 * {@link dev.idefics4j.model.idefics2.Idefics2ImageProcessor} (BILINEAR resize between the shortest and longest edge,
 * optional split into quarters, batch padding with a pixel mask) and
 * {@link dev.idefics4j.model.idefics2.Idefics2Processor} (the {@code <image>} expansion, tokenization,
 * {@link dev.idefics4j.model.idefics2.Idefics2Inputs}).
 */
package dev.idefics4j.model.idefics2;
