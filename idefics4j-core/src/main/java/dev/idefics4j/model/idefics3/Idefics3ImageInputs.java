package dev.idefics4j.model.idefics3;

import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.processor.ImageInputs;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Idefics3's image inputs: {@code pixel_values} [B, N, 3, H, W] and {@code pixel_attention_mask} [B, N, H, W] (each
 * image's tiles row by row and its global image, in prompt order; samples padded with all-zero frames), and the tile
 * grid of every image ({@code rows} × {@code cols}, 0 × 0 when not split).
 *
 * @param rows per sample, each image's tile rows
 * @param cols per sample, each image's tile columns
 */
public record Idefics3ImageInputs(PixelBatch pixels, int[][] rows, int[][] cols) implements ImageInputs {

    public Idefics3ImageInputs {
        Objects.requireNonNull(pixels, "pixels");
        if (rows.length != pixels.batchSize() || cols.length != pixels.batchSize()) {
            throw new IllegalArgumentException("rows and cols need one entry per sample (" + pixels.batchSize()
                    + "), got " + rows.length + " and " + cols.length);
        }
        for (int b = 0; b < rows.length; b++) {
            if (rows[b].length != cols[b].length) {
                throw new IllegalArgumentException("sample " + b + " has " + rows[b].length + " row counts but "
                        + cols[b].length + " column counts");
            }
            if (frames(rows[b], cols[b]) != pixels.imagesPerSample()[b]) {
                throw new IllegalArgumentException("sample " + b + "'s tile grids " + Arrays.toString(rows[b]) + " x "
                        + Arrays.toString(cols[b]) + " make " + frames(rows[b], cols[b]) + " frames but pixel_values "
                        + "holds " + pixels.imagesPerSample()[b]);
            }
        }
    }

    /** Frames of images of these grids: R·C tiles plus the global image each, or the image alone. */
    private static int frames(int[] rows, int[] cols) {
        int n = 0;
        for (int i = 0; i < rows.length; i++) {
            n += rows[i] * cols[i] + 1;
        }
        return n;
    }

    @Override
    public int[] imagesPerRow() {
        return Arrays.stream(rows).mapToInt(r -> r.length).toArray();
    }

    @Override
    public void check(int[][] inputIds) {
        if (inputIds.length != pixels.batchSize()) {
            throw new IllegalArgumentException("pixel_values has " + pixels.batchSize() + " samples for "
                    + inputIds.length + " prompts");
        }
    }

    /** {@code pixel_attention_mask}'s shape and the tile grid of every image. */
    @Override
    public Map<String, Object> view() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pixel_attention_mask_shape", List.of(pixels.batchSize(), pixels.maxImages(), pixels.height(),
                pixels.width()));
        out.put("rows", rows);
        out.put("cols", cols);
        return out;
    }
}
