package dev.idefics4j.model.idefics2;

import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.image.ResizeCall;
import dev.idefics4j.image.RgbImage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * transformers' Idefics2ImageProcessor (inference path) on RGB images, pixel for pixel: with splitting, each image
 * first becomes its four quarters (cut at {@code (width // 2, height // 2)}: top-left, top-right, bottom-left,
 * bottom-right) followed by itself; then every one is resized on its own with Pillow's filter (BILINEAR) so that its
 * longest side is at most {@code longest_edge} (aspect ratio kept, {@code int()} truncation) and each side at least
 * {@code shortest_edge} (small images are not enlarged, only clamped); then rescaled, normalised and padded at the
 * bottom and right to the batch's largest height and width ({@link PixelBatch}).
 */
public final class Idefics2ImageProcessor {
    private final Idefics2ImageProcessorConfig config;

    public Idefics2ImageProcessor(Idefics2ImageProcessorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The processor of a checkpoint directory (its {@code preprocessor_config.json}). */
    public static Idefics2ImageProcessor fromCheckpoint(Path checkpointDir) {
        return new Idefics2ImageProcessor(Idefics2ImageProcessorConfig.load(checkpointDir));
    }

    public Idefics2ImageProcessorConfig config() {
        return config;
    }

    /**
     * The padded batch and every resize in the reference's call order (image by image, quarters first).
     *
     * @param pixels      one sample per prompt: its images (with splitting, five per image) in order
     * @param resizeCalls every resize made
     */
    public record Batch(PixelBatch pixels, List<ResizeCall> resizeCalls) {
        public Batch {
            resizeCalls = List.copyOf(resizeCalls);
        }
    }

    /** Every sample's images with the config's settings. */
    public Batch preprocess(List<List<RgbImage>> images) {
        return preprocess(images, config.doResize(), config.doImageSplitting());
    }

    /** As {@link #preprocess(List)} with the call's {@code do_resize} and {@code do_image_splitting}. */
    public Batch preprocess(List<List<RgbImage>> images, boolean doResize, boolean doImageSplitting) {
        List<ResizeCall> calls = new ArrayList<>();
        List<List<RgbImage>> frames = new ArrayList<>(images.size());
        for (List<RgbImage> sample : images) {
            List<RgbImage> sampleFrames = new ArrayList<>();
            for (RgbImage image : sample) {
                for (RgbImage frame : doImageSplitting ? split(image) : List.of(image)) {
                    sampleFrames.add(doResize ? resize(frame, calls) : frame);
                }
            }
            frames.add(sampleFrames);
        }
        PixelBatch pixels = config.doPad() ? PixelBatch.pad(frames, config.normalization())
                : PixelBatch.stack(frames, config.normalization());
        return new Batch(pixels, calls);
    }

    /** The four quarters, then the image itself. */
    static List<RgbImage> split(RgbImage image) {
        int width = image.width();
        int height = image.height();
        int midWidth = width / 2;
        int midHeight = height / 2;
        if (midWidth == 0 || midHeight == 0) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image cannot be split into quarters");
        }
        return List.of(image.crop(0, 0, midWidth, midHeight),
                image.crop(midWidth, 0, width - midWidth, midHeight),
                image.crop(0, midHeight, midWidth, height - midHeight),
                image.crop(midWidth, midHeight, width - midWidth, height - midHeight),
                image);
    }

    private RgbImage resize(RgbImage image, List<ResizeCall> calls) {
        int[] size = outputSize(image.height(), image.width(), config.shortestEdge(), config.longestEdge());
        return ResizeCall.resize(image, size[0], size[1], config.resample(), calls);
    }

    /** {@code get_resize_output_image_size}: {height, width}. */
    static int[] outputSize(int height, int width, int shortestEdge, int longestEdge) {
        double aspect = (double) width / height;
        if (width >= height && width > longestEdge) {
            width = longestEdge;
            height = (int) (width / aspect);
        } else if (height > width && height > longestEdge) {
            height = longestEdge;
            width = (int) (height * aspect);
        }
        return new int[]{Math.max(height, shortestEdge), Math.max(width, shortestEdge)};
    }
}
