package dev.idefics4j.model.idefics2;

import dev.idefics4j.image.PixelBatch;

import java.util.List;

/**
 * What Idefics2Processor hands the model, as the reference's {@code BatchFeature}, plus what it was made from.
 *
 * @param inputIds      [batch][tokens], padded as the options say
 * @param attentionMask [batch][tokens]
 * @param pixels        pixel_values (B x N x 3 x H x W: every image, or with splitting its four quarters and itself,
 *                      in prompt order) and pixel_attention_mask (B x N x H x W); null when no prompt has an image
 * @param promptStrings the exact strings given to the tokenizer
 * @param imageSources  per row, a description of each image (path, URL, ...)
 */
public record Idefics2Inputs(int[][] inputIds, int[][] attentionMask, PixelBatch pixels, List<String> promptStrings,
                             List<List<String>> imageSources) {

    public int batchSize() {
        return inputIds.length;
    }

    public int sequenceLength() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    public boolean hasImages() {
        return pixels != null;
    }
}
