package dev.idefics4j.model.idefics3;

import dev.idefics4j.image.PixelBatch;

import java.util.List;

/**
 * What Idefics3Processor hands the model, as the reference's {@code BatchFeature}, plus what it was made from.
 *
 * @param inputIds      [batch][tokens], padded as the options say
 * @param attentionMask [batch][tokens]
 * @param pixels        pixel_values (B x N x 3 x H x W: every image's tiles and global image, in prompt order) and
 *                      pixel_attention_mask (B x N x H x W); null when no prompt has an image
 * @param rows          per row, each image's tile rows (0: not split)
 * @param cols          per row, each image's tile columns
 * @param promptStrings the exact strings given to the tokenizer
 * @param imageSources  per row, a description of each image (path, URL, ...)
 */
public record Idefics3Inputs(int[][] inputIds, int[][] attentionMask, PixelBatch pixels, int[][] rows, int[][] cols,
                             List<String> promptStrings, List<List<String>> imageSources) {

    public int batchSize() {
        return inputIds.length;
    }

    public int sequenceLength() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    public boolean hasImages() {
        return pixels != null;
    }

    /** How many images each row has (each one its tiles and a global image, or a single frame). */
    public int[] imagesPerRow() {
        int[] out = new int[rows.length];
        for (int b = 0; b < rows.length; b++) {
            out[b] = rows[b].length;
        }
        return out;
    }
}
