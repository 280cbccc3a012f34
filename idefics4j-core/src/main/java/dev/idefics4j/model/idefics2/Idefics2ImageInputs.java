package dev.idefics4j.model.idefics2;

import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.processor.ImageInputs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Idefics2's image inputs: the processor's {@code pixel_values} (B x N x 3 x H x W: every image, or with splitting
 * its four quarters and itself, in prompt order; all-zero images pad the rows with fewer) and
 * {@code pixel_attention_mask} (B x N x H x W).
 */
public record Idefics2ImageInputs(PixelBatch pixels) implements ImageInputs {

    public Idefics2ImageInputs {
        Objects.requireNonNull(pixels, "pixels");
    }

    /** Per row, its images in {@code pixel_values} (with splitting, five per prompt image). */
    @Override
    public int[] imagesPerRow() {
        return pixels.imagesPerSample();
    }

    @Override
    public void check(int[][] inputIds) {
        if (pixels.batchSize() != inputIds.length) {
            throw new IllegalArgumentException("pixel_values holds images for " + pixels.batchSize()
                    + " rows, input_ids has " + inputIds.length);
        }
    }

    /**
     * The shape of {@code pixel_values} and each row's image count: the tensors themselves are as large as the
     * images.
     */
    @Override
    public Map<String, Object> view() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pixel_values_shape", List.of(pixels.batchSize(), pixels.maxImages(), 3, pixels.height(),
                pixels.width()));
        out.put("images_per_row", imagesPerRow());
        return out;
    }
}
