package dev.idefics4j.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * transformers' IdeficsImageProcessor (inference path): RGB image, Pillow BICUBIC resize to S x S (aspect ratio not
 * kept), rescale by 1/255, normalise per channel, channels first. Bit-exact with the reference because the arithmetic
 * is numpy's: {@code (float)(u8 * (1/255.0 as double))}, then {@code (x - mean) / std} in float32.
 */
public final class IdeficsImageProcessor {
    private final ImageProcessorConfig config;
    private final PixelNormalization normalization;

    public IdeficsImageProcessor(ImageProcessorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        // IdeficsImageProcessor always normalises.
        this.normalization = new PixelNormalization(config.doRescale(), config.rescaleFactor(), true,
                config.imageMean(), config.imageStd());
    }

    /** The processor of a checkpoint directory (its {@code preprocessor_config.json}). */
    public static IdeficsImageProcessor fromCheckpoint(Path checkpointDir) {
        return new IdeficsImageProcessor(ImageProcessorConfig.load(checkpointDir));
    }

    public ImageProcessorConfig config() {
        return config;
    }

    /** S, the side of the square model input. */
    public int imageSize() {
        return config.imageSize();
    }

    /** Floats per image: 3 x S x S. */
    public int valuesPerImage() {
        return 3 * imageSize() * imageSize();
    }

    /** The S x S 8-bit image the model sees, before rescaling and normalisation. */
    public RgbImage resize(RgbImage image) {
        return PillowResize.resize(image, imageSize(), imageSize(), ResampleFilter.BICUBIC);
    }

    /** One image's pixel values, 3 x S x S channels first. */
    public float[] pixelValues(RgbImage image) {
        float[] out = new float[valuesPerImage()];
        writePixelValues(image, out, 0);
        return out;
    }

    /** Several images' pixel values, N x 3 x S x S, in list order. */
    public float[] pixelValues(List<RgbImage> images) {
        float[] out = new float[Math.multiplyExact(images.size(), valuesPerImage())];
        for (int i = 0; i < images.size(); i++) {
            writePixelValues(images.get(i), out, i * valuesPerImage());
        }
        return out;
    }

    /** Writes one image's 3 x S x S values into {@code out} from {@code offset}, e.g. into a padded batch. */
    public void writePixelValues(RgbImage image, float[] out, int offset) {
        Objects.checkFromIndexSize(offset, valuesPerImage(), out.length);
        normalization.writeChannelsFirst(resize(image), out, offset, imageSize(), imageSize());
    }
}
