package dev.idefics4j.processor;

import java.util.Map;

/**
 * The image part of a batch of {@link ModelInputs}, in the form its family's model reads (IDEFICS v1:
 * {@code pixel_values} and {@code image_attention_mask}, see {@link IdeficsImageInputs}). Generation never looks
 * inside: it hands the inputs to the model, which takes its own kind.
 */
public interface ImageInputs {
    /** How many real images each row holds (padding images of the batch not counted). */
    int[] imagesPerRow();

    /**
     * Throws {@link IllegalArgumentException} naming the tensor when these images do not fit {@code inputIds}
     * (one row per prompt, one entry per token where the family's tensors have one).
     */
    void check(int[][] inputIds);

    /** The tensors {@code encode} shows besides the token ids and the attention mask, by the reference's names. */
    Map<String, Object> view();
}
