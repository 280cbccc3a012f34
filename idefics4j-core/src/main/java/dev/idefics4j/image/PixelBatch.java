package dev.idefics4j.image;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A padded batch of images, as transformers' Idefics2/Idefics3 image processors make it ({@code pad} with
 * {@code make_pixel_mask}): sample b's i-th image is normalised into the top-left corner of
 * {@code pixelValues[b][i]}, zero elsewhere; samples with fewer images get all-zero ones. N is the most images of a
 * sample, H x W the largest height and width in the batch.
 *
 * @param batchSize          B
 * @param maxImages          N
 * @param height             H
 * @param width              W
 * @param pixelValues        B x N x 3 x H x W, channels first
 * @param pixelAttentionMask B x N x H x W, 1 on an image's own pixels, 0 on padding and padding images
 * @param imagesPerSample    how many of each sample's N images are real
 */
public record PixelBatch(int batchSize, int maxImages, int height, int width, float[] pixelValues,
                         byte[] pixelAttentionMask, int[] imagesPerSample) {

    public PixelBatch {
        Objects.requireNonNull(pixelValues, "pixelValues");
        Objects.requireNonNull(pixelAttentionMask, "pixelAttentionMask");
        Objects.requireNonNull(imagesPerSample, "imagesPerSample");
        long pixels = (long) batchSize * maxImages * height * width;
        if (pixelValues.length != 3 * pixels || pixelAttentionMask.length != pixels
                || imagesPerSample.length != batchSize) {
            throw new IllegalArgumentException("a " + batchSize + " x " + maxImages + " x 3 x " + height + " x " + width
                    + " batch needs " + 3 * pixels + " values, " + pixels + " mask entries and " + batchSize
                    + " image counts, got " + pixelValues.length + ", " + pixelAttentionMask.length + " and "
                    + imagesPerSample.length);
        }
    }

    /** Each sample's images, normalised and padded; at least one sample must hold an image. */
    public static PixelBatch pad(List<List<RgbImage>> images, PixelNormalization normalization) {
        int batch = images.size();
        int maxImages = 0;
        int height = 0;
        int width = 0;
        int[] counts = new int[batch];
        for (int b = 0; b < batch; b++) {
            counts[b] = images.get(b).size();
            maxImages = Math.max(maxImages, counts[b]);
            for (RgbImage image : images.get(b)) {
                height = Math.max(height, image.height());
                width = Math.max(width, image.width());
            }
        }
        if (maxImages == 0) {
            throw new IllegalArgumentException("no images to batch");
        }
        int plane = Math.multiplyExact(height, width);
        int perImage = Math.multiplyExact(3, plane);
        float[] values = new float[Math.multiplyExact(Math.multiplyExact(batch, maxImages), perImage)];
        byte[] mask = new byte[batch * maxImages * plane];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < counts[b]; i++) {
                RgbImage image = images.get(b).get(i);
                int slot = b * maxImages + i;
                normalization.writeChannelsFirst(image, values, slot * perImage, height, width);
                for (int y = 0; y < image.height(); y++) {
                    int row = slot * plane + y * width;
                    Arrays.fill(mask, row, row + image.width(), (byte) 1);
                }
            }
        }
        return new PixelBatch(batch, maxImages, height, width, values, mask, counts);
    }

    /**
     * Without padding ({@code do_pad} false) the reference can only stack samples into one tensor when they hold as
     * many images, all of one size: then this is the same batch as {@link #pad}, else an error says why not.
     */
    public static PixelBatch stack(List<List<RgbImage>> images, PixelNormalization normalization) {
        RgbImage first = images.stream().flatMap(List::stream).findFirst().orElse(null);
        for (List<RgbImage> sample : images) {
            if (sample.size() != images.getFirst().size()) {
                throw new IllegalArgumentException("do_pad is false but the samples have different numbers of images ("
                        + images.getFirst().size() + " and " + sample.size() + "); enable do_pad");
            }
            for (RgbImage image : sample) {
                if (image.width() != first.width() || image.height() != first.height()) {
                    throw new IllegalArgumentException("do_pad is false but the images have different sizes ("
                            + first.width() + "x" + first.height() + " and " + image.width() + "x" + image.height()
                            + "); enable do_pad");
                }
            }
        }
        return pad(images, normalization);
    }

    /** Floats per image: 3 x H x W. */
    public int valuesPerImage() {
        return 3 * height * width;
    }
}
