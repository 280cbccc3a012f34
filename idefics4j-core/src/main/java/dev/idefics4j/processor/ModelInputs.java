package dev.idefics4j.processor;

import java.util.List;

/**
 * What a processor hands the model, the one input type from the processor to generation: as the reference's
 * {@code BatchFeature} (token ids, attention mask, the family's image tensors), plus what it was made from.
 *
 * @param inputIds      [batch][tokens], padded
 * @param attentionMask [batch][tokens], 1 for real tokens, 0 for padding
 * @param images        the family's image tensors; null for text without images
 * @param promptStrings the exact strings given to the tokenizer
 * @param imageSources  per row, a description of each image (path, URL, ...)
 */
public record ModelInputs(int[][] inputIds, int[][] attentionMask, ImageInputs images, List<String> promptStrings,
                          List<List<String>> imageSources) {

    public ModelInputs {
        if (inputIds == null || inputIds.length == 0) {
            throw new IllegalArgumentException("input_ids must hold at least one prompt");
        }
        if (attentionMask == null || attentionMask.length != inputIds.length) {
            throw new IllegalArgumentException("attention_mask must have one row per prompt (" + inputIds.length + ")");
        }
        for (int b = 0; b < inputIds.length; b++) {
            if (attentionMask[b].length != inputIds[b].length) {
                throw new IllegalArgumentException("attention_mask row " + b + " has " + attentionMask[b].length
                        + " entries for " + inputIds[b].length + " tokens");
            }
        }
        if (images != null) {
            images.check(inputIds);
        }
    }

    /** Prompts without images, made by hand (no prompt strings or image sources). */
    public static ModelInputs textOnly(int[][] inputIds, int[][] attentionMask) {
        return new ModelInputs(inputIds, attentionMask, null, List.of(), List.of());
    }

    public int batchSize() {
        return inputIds.length;
    }

    public int sequenceLength() {
        return inputIds[0].length;
    }

    public boolean hasImages() {
        if (images != null) {
            for (int n : images.imagesPerRow()) {
                if (n > 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
