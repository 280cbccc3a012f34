/**
 * Idefics3 and SmolVLM ({@code model_type} "idefics3"): what is theirs alone. {@link
 * dev.idefics4j.model.idefics3.Idefics3Family} (the registry's entry), {@link
 * dev.idefics4j.model.idefics3.Idefics3Config}, {@link dev.idefics4j.model.idefics3.Idefics3Model} (SigLIP tower →
 * {@link dev.idefics4j.model.idefics3.Idefics3Connector}, pixel shuffle and projection → image states in place of the
 * {@code <image>} embeddings → the shared LLaMA decoder), and the processor side:
 * {@link dev.idefics4j.model.idefics3.Idefics3ImageProcessor} (longest-edge LANCZOS resize, tiles of
 * {@code max_image_size} plus a global image, batch padding with a pixel mask) and
 * {@link dev.idefics4j.model.idefics3.Idefics3Processor} (the row/column tile tokens of each image in the prompt,
 * tokenization, {@link dev.idefics4j.model.idefics3.Idefics3ImageInputs}).
 */
package dev.idefics4j.model.idefics3;
