package dev.idefics4j.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.CheckpointException;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The IdeficsImageProcessor settings of a checkpoint's {@code preprocessor_config.json}, with transformers' defaults
 * for absent keys (224, OpenAI CLIP mean/std, 3 channels, rescale by 1/255). Mean and std are kept as float32, the
 * precision numpy normalises a float32 image with.
 */
public record ImageProcessorConfig(int imageSize, float[] imageMean, float[] imageStd, int imageNumChannels,
                                   boolean doRescale, double rescaleFactor) {
    static final double[] IDEFICS_STANDARD_MEAN = {0.48145466, 0.4578275, 0.40821073};
    static final double[] IDEFICS_STANDARD_STD = {0.26862954, 0.26130258, 0.27577711};

    /** The largest image side accepted: 3 x 8192 x 8192 float pixel values are 768 MiB per image. */
    public static final int MAX_IMAGE_SIZE = 8192;

    public static final ImageProcessorConfig DEFAULTS = new ImageProcessorConfig(224,
            PixelNormalization.toFloats(IDEFICS_STANDARD_MEAN), PixelNormalization.toFloats(IDEFICS_STANDARD_STD), 3, true, 1 / 255.0);

    public ImageProcessorConfig {
        if (imageSize <= 0) {
            throw new IllegalArgumentException("image_size must be positive, got " + imageSize);
        }
        if (imageNumChannels != 3) {
            throw new IllegalArgumentException("only 3-channel (RGB) images are supported, image_num_channels is "
                    + imageNumChannels);
        }
        if (imageMean.length != 3 || imageStd.length != 3) {
            throw new IllegalArgumentException("image_mean and image_std need 3 values, got "
                    + Arrays.toString(imageMean) + " and " + Arrays.toString(imageStd));
        }
        for (int c = 0; c < 3; c++) {
            // A zero std divides every pixel by zero: the model then sees NaN and answers nothing.
            if (!(Float.isFinite(imageStd[c]) && imageStd[c] != 0)) {
                throw new IllegalArgumentException("image_std must hold finite, non-zero values (pixels are divided "
                        + "by them), got " + Arrays.toString(imageStd));
            }
            if (!Float.isFinite(imageMean[c])) {
                throw new IllegalArgumentException("image_mean must hold finite values, got "
                        + Arrays.toString(imageMean));
            }
        }
        if (!Double.isFinite(rescaleFactor)) {
            throw new IllegalArgumentException("rescale_factor must be finite, got " + rescaleFactor);
        }
        if (imageSize > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException("image_size is " + imageSize + ", more than " + MAX_IMAGE_SIZE
                    + ": one image would take " + (3L * imageSize * imageSize * Float.BYTES >> 20) + " MiB of "
                    + "pixel values (vision encoders of this family take 224 to 980)");
        }
        imageMean = imageMean.clone();
        imageStd = imageStd.clone();
    }

    @Override
    public float[] imageMean() {
        return imageMean.clone();
    }

    @Override
    public float[] imageStd() {
        return imageStd.clone();
    }

    public ImageProcessorConfig withImageSize(int size) {
        return new ImageProcessorConfig(size, imageMean, imageStd, imageNumChannels, doRescale, rescaleFactor);
    }

    /** Reads {@code preprocessor_config.json} from a checkpoint directory, or the JSON file itself. */
    public static ImageProcessorConfig load(Path checkpointDirOrFile) {
        Path file = PreprocessorConfigFile.locate(checkpointDirOrFile);
        JsonNode json = PreprocessorConfigFile.read(file);
        try {
            return fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /** Settings from a parsed {@code preprocessor_config.json} object. */
    public static ImageProcessorConfig fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("preprocessor config must be a JSON object");
        }
        return new ImageProcessorConfig(
                json.has("image_size") ? intValue(json, "image_size") : DEFAULTS.imageSize,
                PixelNormalization.channelValues(json.get("image_mean"), "image_mean", IDEFICS_STANDARD_MEAN),
                PixelNormalization.channelValues(json.get("image_std"), "image_std", IDEFICS_STANDARD_STD),
                json.has("image_num_channels") && !json.get("image_num_channels").isNull()
                        ? intValue(json, "image_num_channels") : 3,
                !json.has("do_rescale") || json.get("do_rescale").asBoolean(true),
                json.has("rescale_factor") ? numberValue(json, "rescale_factor") : DEFAULTS.rescaleFactor);
    }

    private static int intValue(JsonNode json, String key) {
        JsonNode node = json.get(key);
        if (!node.isIntegralNumber()) {
            throw new IllegalArgumentException(key + " must be an integer, got " + node);
        }
        return node.intValue();
    }

    private static double numberValue(JsonNode json, String key) {
        JsonNode node = json.get(key);
        if (!node.isNumber()) {
            throw new IllegalArgumentException(key + " must be a number, got " + node);
        }
        return node.doubleValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageProcessorConfig c && imageSize == c.imageSize && imageNumChannels == c.imageNumChannels
                && doRescale == c.doRescale && rescaleFactor == c.rescaleFactor
                && Arrays.equals(imageMean, c.imageMean) && Arrays.equals(imageStd, c.imageStd);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new double[]{imageSize, imageNumChannels, doRescale ? 1 : 0, rescaleFactor})
                + 31 * Arrays.hashCode(imageMean) + 961 * Arrays.hashCode(imageStd);
    }

    @Override
    public String toString() {
        return "ImageProcessorConfig[imageSize=" + imageSize + ", imageMean=" + Arrays.toString(imageMean)
                + ", imageStd=" + Arrays.toString(imageStd) + ", imageNumChannels=" + imageNumChannels
                + ", doRescale=" + doRescale + ", rescaleFactor=" + rescaleFactor + "]";
    }
}
