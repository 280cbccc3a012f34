package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.image.PixelNormalization;
import dev.idefics4j.image.PreprocessorConfigFile;
import dev.idefics4j.image.ResampleFilter;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The Idefics3ImageProcessor settings of a checkpoint's {@code preprocessor_config.json}, with transformers' defaults
 * for absent keys (those of Idefics3-8B-Llama3: longest edge 4 x 364, tiles of 364, LANCZOS, mean = std = 0.5).
 *
 * @param doConvertRgb     {@code do_convert_rgb}; images reach the processor as RGB already, so it changes nothing
 * @param doResize         {@code do_resize}: first resize the longest edge to {@code longestEdge}
 * @param longestEdge      {@code size.longest_edge}
 * @param resample         {@code resample}, the Pillow filter of every resize
 * @param doImageSplitting {@code do_image_splitting}: tiles of {@code maxImageSize} plus a global image
 * @param maxImageSize     {@code max_image_size.longest_edge}: the side of a tile, and of the image the encoder sees
 * @param normalization    {@code do_rescale}, {@code rescale_factor}, {@code do_normalize}, {@code image_mean},
 *                         {@code image_std}
 * @param doPad            {@code do_pad}: pad every sample to the batch's largest tile count (with a pixel mask)
 */
public record Idefics3ImageProcessorConfig(boolean doConvertRgb, boolean doResize, int longestEdge,
                                           ResampleFilter resample, boolean doImageSplitting, int maxImageSize,
                                           PixelNormalization normalization, boolean doPad) {
    /**
     * The largest {@code size.longest_edge} accepted. transformers 4.46 rejects more than 1820, which the published
     * SmolVLM (2048) exceeds; later releases take up to 4096 with the same resize, so this does too.
     */
    public static final int MAX_LONGEST_EDGE = 4096;
    private static final double[] IMAGENET_STANDARD = {0.5, 0.5, 0.5};

    public static final Idefics3ImageProcessorConfig DEFAULTS = new Idefics3ImageProcessorConfig(true, true, 4 * 364,
            ResampleFilter.LANCZOS, true, 364,
            new PixelNormalization(true, 1 / 255.0, true, new float[]{0.5f, 0.5f, 0.5f}, new float[]{0.5f, 0.5f, 0.5f}),
            true);

    public Idefics3ImageProcessorConfig {
        Objects.requireNonNull(resample, "resample");
        Objects.requireNonNull(normalization, "normalization");
        if (longestEdge <= 0 || maxImageSize <= 0) {
            throw new IllegalArgumentException("size.longest_edge and max_image_size.longest_edge must be positive, "
                    + "got " + longestEdge + " and " + maxImageSize);
        }
        if (longestEdge > MAX_LONGEST_EDGE) {
            throw new IllegalArgumentException("size.longest_edge " + longestEdge + " is larger than "
                    + MAX_LONGEST_EDGE);
        }
        if (maxImageSize > MAX_LONGEST_EDGE) {
            throw new IllegalArgumentException("max_image_size.longest_edge " + maxImageSize + " is larger than "
                    + MAX_LONGEST_EDGE + " (one tile would take "
                    + (3L * maxImageSize * maxImageSize * Float.BYTES >> 20) + " MiB of pixel values)");
        }
    }

    /** Reads {@code preprocessor_config.json} from a checkpoint directory, or the JSON file itself. */
    public static Idefics3ImageProcessorConfig load(Path checkpointDirOrFile) {
        Path file = PreprocessorConfigFile.locate(checkpointDirOrFile);
        return fromJson(PreprocessorConfigFile.read(file), file.toString());
    }

    /** Settings from a parsed {@code preprocessor_config.json}; {@code file} names it in errors. */
    public static Idefics3ImageProcessorConfig fromJson(JsonNode json, String file) {
        ConfigReader config = PreprocessorConfigFile.reader(json, file, "Idefics3ImageProcessor");
        ResampleFilter resample = PreprocessorConfigFile.resample(config, DEFAULTS.resample);
        try {
            return new Idefics3ImageProcessorConfig(
                    config.bool("do_convert_rgb", DEFAULTS.doConvertRgb),
                    config.bool("do_resize", DEFAULTS.doResize),
                    longestEdge(config, "size", DEFAULTS.longestEdge),
                    resample,
                    config.bool("do_image_splitting", DEFAULTS.doImageSplitting),
                    longestEdge(config, "max_image_size", DEFAULTS.maxImageSize),
                    PixelNormalization.fromConfig(config, IMAGENET_STANDARD, IMAGENET_STANDARD),
                    config.bool("do_pad", DEFAULTS.doPad));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /** {@code {"longest_edge": n}}, the only form of {@code size} and {@code max_image_size} Idefics3 checkpoints use. */
    private static int longestEdge(ConfigReader config, String field, int dflt) {
        ConfigReader size = config.object(field);
        if (size == null) {
            return dflt;
        }
        if (!size.has("longest_edge")) {
            throw config.error(field, "must be {\"longest_edge\": n}, got " + config.get(field));
        }
        return size.positiveInt("longest_edge", dflt);
    }

    public Idefics3ImageProcessorConfig withImageSplitting(boolean value) {
        return new Idefics3ImageProcessorConfig(doConvertRgb, doResize, longestEdge, resample, value, maxImageSize,
                normalization, doPad);
    }

    public Idefics3ImageProcessorConfig withResize(boolean value) {
        return new Idefics3ImageProcessorConfig(doConvertRgb, value, longestEdge, resample, doImageSplitting,
                maxImageSize, normalization, doPad);
    }
}
