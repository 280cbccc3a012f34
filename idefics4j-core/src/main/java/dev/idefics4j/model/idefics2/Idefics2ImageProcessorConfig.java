package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.image.ImageProcessorConfig;
import dev.idefics4j.image.PixelNormalization;
import dev.idefics4j.image.PreprocessorConfigFile;
import dev.idefics4j.image.ResampleFilter;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The Idefics2ImageProcessor settings of a checkpoint's {@code preprocessor_config.json}, with transformers' defaults
 * for absent keys (shortest edge 378, longest edge 980, BILINEAR, no splitting, mean = std = 0.5).
 *
 * @param doConvertRgb     {@code do_convert_rgb}; images reach the processor as RGB already (alpha dropped)
 * @param doResize         {@code do_resize}: bring the longest side down to {@code longestEdge}, then each side up to
 *                         at least {@code shortestEdge}
 * @param shortestEdge     {@code size.shortest_edge}
 * @param longestEdge      {@code size.longest_edge}
 * @param resample         {@code resample}, the Pillow filter
 * @param doImageSplitting {@code do_image_splitting}: four quarters plus the whole image
 * @param normalization    {@code do_rescale}, {@code rescale_factor}, {@code do_normalize}, {@code image_mean},
 *                         {@code image_std}
 * @param doPad            {@code do_pad}: pad to the batch's largest image and image count (with a pixel mask)
 */
public record Idefics2ImageProcessorConfig(boolean doConvertRgb, boolean doResize, int shortestEdge, int longestEdge,
                                           ResampleFilter resample, boolean doImageSplitting,
                                           PixelNormalization normalization, boolean doPad) {
    private static final double[] IMAGENET_STANDARD = {0.5, 0.5, 0.5};

    public static final Idefics2ImageProcessorConfig DEFAULTS = new Idefics2ImageProcessorConfig(true, true, 378, 980,
            ResampleFilter.BILINEAR, false,
            new PixelNormalization(true, 1 / 255.0, true, new float[]{0.5f, 0.5f, 0.5f}, new float[]{0.5f, 0.5f, 0.5f}),
            true);

    public Idefics2ImageProcessorConfig {
        Objects.requireNonNull(resample, "resample");
        Objects.requireNonNull(normalization, "normalization");
        if (shortestEdge <= 0 || longestEdge <= 0) {
            throw new IllegalArgumentException("size.shortest_edge and size.longest_edge must be positive, got "
                    + shortestEdge + " and " + longestEdge);
        }
        int largest = Math.max(shortestEdge, longestEdge);
        if (largest > ImageProcessorConfig.MAX_IMAGE_SIZE) {
            String field = shortestEdge >= longestEdge ? "size.shortest_edge " : "size.longest_edge ";
            throw new IllegalArgumentException(field + largest + " is larger than "
                    + ImageProcessorConfig.MAX_IMAGE_SIZE + " (one image would take "
                    + (3L * largest * largest * Float.BYTES >> 20) + " MiB of pixel values)");
        }
    }

    /** Reads {@code preprocessor_config.json} from a checkpoint directory, or the JSON file itself. */
    public static Idefics2ImageProcessorConfig load(Path checkpointDirOrFile) {
        Path file = PreprocessorConfigFile.locate(checkpointDirOrFile);
        return fromJson(PreprocessorConfigFile.read(file), file.toString());
    }

    /** Settings from a parsed {@code preprocessor_config.json}; {@code file} names it in errors. */
    public static Idefics2ImageProcessorConfig fromJson(JsonNode json, String file) {
        ConfigReader config = PreprocessorConfigFile.reader(json, file, "Idefics2ImageProcessor");
        ResampleFilter resample = PreprocessorConfigFile.resample(config, DEFAULTS.resample);
        int shortest = DEFAULTS.shortestEdge;
        int longest = DEFAULTS.longestEdge;
        ConfigReader size = config.object("size");
        if (size != null) {
            if (!size.has("shortest_edge") || !size.has("longest_edge")) {
                throw config.error("size", "must be {\"shortest_edge\": n, \"longest_edge\": m}, got "
                        + config.get("size"));
            }
            shortest = size.positiveInt("shortest_edge", shortest);
            longest = size.positiveInt("longest_edge", longest);
        }
        try {
            return new Idefics2ImageProcessorConfig(
                    config.bool("do_convert_rgb", DEFAULTS.doConvertRgb),
                    config.bool("do_resize", DEFAULTS.doResize),
                    shortest, longest, resample,
                    config.bool("do_image_splitting", DEFAULTS.doImageSplitting),
                    PixelNormalization.fromConfig(config, IMAGENET_STANDARD, IMAGENET_STANDARD),
                    config.bool("do_pad", DEFAULTS.doPad));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    public Idefics2ImageProcessorConfig withImageSplitting(boolean value) {
        return new Idefics2ImageProcessorConfig(doConvertRgb, doResize, shortestEdge, longestEdge, resample, value,
                normalization, doPad);
    }
}
