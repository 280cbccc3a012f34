/**
 * Idefics2 ({@code model_type} "idefics2"): what is its alone. {@link dev.idefics4j.model.idefics2.Idefics2Family}
 * (the registry's entry), {@link dev.idefics4j.model.idefics2.Idefics2Config},
 * {@link dev.idefics4j.model.idefics2.Idefics2Model} (the shared SigLIP tower, its
 * {@link dev.idefics4j.model.idefics2.Idefics2Connector} with the perceiver resampler, image states in place of the
 * {@code <image>} embeddings, the shared Mistral/LLaMA decoder), the processor side:
 * {@link dev.idefics4j.model.idefics2.Idefics2ImageProcessor} (BILINEAR resize between the shortest and longest edge,
 * optional split into quarters, batch padding with a pixel mask) and
 * {@link dev.idefics4j.model.idefics2.Idefics2Processor} (the {@code <image>} expansion, tokenization,
 * {@link dev.idefics4j.model.idefics2.Idefics2ImageInputs}), and the state dict's layout for random checkpoints.
 */
package dev.idefics4j.model.idefics2;
