package dev.idefics4j.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.ConfigReader;

import java.util.Arrays;
import java.util.Objects;

/**
 * transformers' {@code rescale} then {@code normalize} on an 8-bit RGB image, bit for bit: numpy multiplies in float64
 * and stores float32 ({@code (float) (u8 * rescale_factor)}), then computes {@code (x - mean) / std} in float32 with
 * mean and std cast to float32. Without rescaling the uint8 value is cast to float32 first.
 *
 * @param doRescale     multiply by {@code rescaleFactor}
 * @param rescaleFactor usually 1/255
 * @param doNormalize   subtract the mean and divide by the std, per channel
 * @param mean          R, G, B means (float32, as numpy uses them)
 * @param std           R, G, B standard deviations
 */
public record PixelNormalization(boolean doRescale, double rescaleFactor, boolean doNormalize, float[] mean,
                                 float[] std) {

    public PixelNormalization {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("image_mean and image_std need 3 values, got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * The settings of a preprocessor config ({@code do_rescale}, {@code rescale_factor}, {@code do_normalize},
     * {@code image_mean}, {@code image_std}), with the given defaults for absent keys.
     */
    public static PixelNormalization fromConfig(ConfigReader config, double[] defaultMean, double[] defaultStd) {
        return new PixelNormalization(config.bool("do_rescale", true),
                config.positiveDouble("rescale_factor", 1 / 255.0),
                config.bool("do_normalize", true),
                channelValues(config, "image_mean", defaultMean),
                channelValues(config, "image_std", defaultStd));
    }

    private static float[] channelValues(ConfigReader config, String key, double[] defaults) {
        try {
            return channelValues(config.get(key), key, defaults);
        } catch (IllegalArgumentException e) {
            throw config.error(key, e.getMessage().substring(key.length() + 1));
        }
    }

    /** A list of per-channel values, or one number for all channels (as transformers accepts); null = default. */
    static float[] channelValues(JsonNode node, String key, double[] defaults) {
        if (node == null || node.isNull()) {
            return toFloats(defaults);
        }
        if (node.isNumber()) {
            float v = (float) node.doubleValue();
            return new float[]{v, v, v};
        }
        if (!node.isArray() || node.size() != 3) {
            throw new IllegalArgumentException(key + " must be a number or a list of 3 numbers, got " + node);
        }
        float[] values = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!node.get(i).isNumber()) {
                throw new IllegalArgumentException(key + " must hold numbers, got " + node);
            }
            values[i] = (float) node.get(i).doubleValue();
        }
        return values;
    }

    static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** The model input value of sample {@code u8} (0..255) of channel {@code c}. */
    public float value(int u8, int c) {
        float x = doRescale ? (float) (u8 * rescaleFactor) : u8;
        return doNormalize ? (x - mean[c]) / std[c] : x;
    }

    /**
     * Writes {@code image} channels first into a 3 x {@code height} x {@code width} block of {@code out} at
     * {@code offset}, in its top-left corner; the rest of the block is left as it is (zero padding in a fresh array).
     */
    public void writeChannelsFirst(RgbImage image, float[] out, int offset, int height, int width) {
        if (image.width() > width || image.height() > height) {
            throw new IllegalArgumentException("a " + image.width() + "x" + image.height() + " image does not fit a "
                    + width + "x" + height + " block");
        }
        Objects.checkFromIndexSize(offset, 3 * height * width, out.length);
        byte[] rgb = image.data();
        int plane = height * width;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < image.height(); y++) {
                int o = offset + c * plane + y * width;
                int p = y * image.width() * 3 + c;
                for (int x = 0; x < image.width(); x++, p += 3) {
                    out[o + x] = value(rgb[p] & 0xFF, c);
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PixelNormalization n && doRescale == n.doRescale && rescaleFactor == n.rescaleFactor
                && doNormalize == n.doNormalize && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return Objects.hash(doRescale, rescaleFactor, doNormalize, Arrays.hashCode(mean), Arrays.hashCode(std));
    }

    @Override
    public String toString() {
        return "PixelNormalization[doRescale=" + doRescale + ", rescaleFactor=" + rescaleFactor + ", doNormalize="
                + doNormalize + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
