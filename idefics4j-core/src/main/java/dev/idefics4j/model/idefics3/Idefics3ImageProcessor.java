package dev.idefics4j.model.idefics3;

import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.image.ResizeCall;
import dev.idefics4j.image.RgbImage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * transformers' Idefics3ImageProcessor (inference path) on RGB images, pixel for pixel. Per image, with T the tile
 * side ({@code max_image_size}) and every resize Pillow's on 8-bit pixels:
 * <ol>
 *   <li>{@code do_resize}: the longest side to {@code size.longest_edge} (enlarging too), the other side
 *   {@code int(...)} of the aspect ratio, rounded up to an even number;</li>
 *   <li>with splitting: the longest side up to a multiple of T, the other side {@code int(...)} of the aspect ratio
 *   and then up to a multiple of T; an image larger than T x T becomes its T x T tiles row by row plus the whole
 *   image resized to T x T (the global image), a T x T one stays alone (0 rows, 0 columns);</li>
 *   <li>without splitting: the image resized to T x T, aspect ratio not kept.</li>
 * </ol>
 * Then rescale and normalise ({@link dev.idefics4j.image.PixelNormalization}) and pad the batch
 * ({@link PixelBatch}). Sizes follow Python's arithmetic: float division, {@code int()} truncation, {@code ceil}.
 */
public final class Idefics3ImageProcessor {
    private final Idefics3ImageProcessorConfig config;

    public Idefics3ImageProcessor(Idefics3ImageProcessorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The processor of a checkpoint directory (its {@code preprocessor_config.json}). */
    public static Idefics3ImageProcessor fromCheckpoint(Path checkpointDir) {
        return new Idefics3ImageProcessor(Idefics3ImageProcessorConfig.load(checkpointDir));
    }

    public Idefics3ImageProcessorConfig config() {
        return config;
    }

    /**
     * What one image becomes before normalisation.
     *
     * @param frames  the tiles row by row and then the global image; or the image alone when not split
     * @param rows    tile rows (0 when not split)
     * @param cols    tile columns (0 when not split)
     * @param resizes every resize done, in order (a resize to the same size included, as the reference calls it)
     */
    public record SplitImage(List<RgbImage> frames, int rows, int cols, List<ResizeCall> resizes) {
        public SplitImage {
            frames = List.copyOf(frames);
            resizes = List.copyOf(resizes);
        }
    }

    /**
     * The batch the model takes: frames of each sample padded to the batch's largest count, and the tile grid of
     * every image.
     *
     * @param pixels one sample per prompt, its images' frames in order
     * @param images per sample, every image's {@link SplitImage} (rows, cols, resizes)
     */
    public record Batch(PixelBatch pixels, List<List<SplitImage>> images) {
        public Batch {
            images = images.stream().map(List::copyOf).toList();
        }

        /** Tile rows per sample and image. */
        public int[][] rows() {
            return images.stream().map(s -> s.stream().mapToInt(SplitImage::rows).toArray()).toArray(int[][]::new);
        }

        /** Tile columns per sample and image. */
        public int[][] cols() {
            return images.stream().map(s -> s.stream().mapToInt(SplitImage::cols).toArray()).toArray(int[][]::new);
        }
    }

    /** Every sample's images through the pipeline with the config's settings. */
    public Batch preprocess(List<List<RgbImage>> images) {
        return preprocess(images, config.doResize(), config.doImageSplitting());
    }

    /** As {@link #preprocess(List)} with the call's {@code do_resize} and {@code do_image_splitting}. */
    public Batch preprocess(List<List<RgbImage>> images, boolean doResize, boolean doImageSplitting) {
        List<List<SplitImage>> split = new ArrayList<>(images.size());
        List<List<RgbImage>> frames = new ArrayList<>(images.size());
        for (List<RgbImage> sample : images) {
            List<SplitImage> sampleSplit = new ArrayList<>(sample.size());
            List<RgbImage> sampleFrames = new ArrayList<>();
            for (RgbImage image : sample) {
                SplitImage s = split(image, doResize, doImageSplitting);
                sampleSplit.add(s);
                sampleFrames.addAll(s.frames());
            }
            split.add(sampleSplit);
            frames.add(sampleFrames);
        }
        PixelBatch pixels = config.doPad() ? PixelBatch.pad(frames, config.normalization())
                : PixelBatch.stack(frames, config.normalization());
        return new Batch(pixels, split);
    }

    /** One image's resizes and tiles, before normalisation. */
    public SplitImage split(RgbImage image, boolean doResize, boolean doImageSplitting) {
        List<ResizeCall> resizes = new ArrayList<>(3);
        int tile = config.maxImageSize();
        if (doResize) {
            int[] size = longestEdgeSize(image.height(), image.width(), config.longestEdge());
            image = resize(image, size[0], size[1], resizes);
        }
        if (!doImageSplitting) {
            image = resize(image, tile, tile, resizes);
            return new SplitImage(List.of(image), 0, 0, resizes);
        }
        int[] size = tileMultipleSize(image.height(), image.width(), tile);
        image = resize(image, size[0], size[1], resizes);
        int height = image.height();
        int width = image.width();
        if (height <= tile && width <= tile) {
            return new SplitImage(List.of(image), 0, 0, resizes);
        }
        int rows = Math.ceilDiv(height, tile);
        int cols = Math.ceilDiv(width, tile);
        int tileHeight = Math.ceilDiv(height, rows);
        int tileWidth = Math.ceilDiv(width, cols);
        List<RgbImage> frames = new ArrayList<>(rows * cols + 1);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int x = c * tileWidth;
                int y = r * tileHeight;
                frames.add(image.crop(x, y, Math.min(tileWidth, width - x), Math.min(tileHeight, height - y)));
            }
        }
        frames.add(resize(image, tile, tile, resizes));
        return new SplitImage(frames, rows, cols, resizes);
    }

    private RgbImage resize(RgbImage image, int height, int width, List<ResizeCall> resizes) {
        return ResizeCall.resize(image, height, width, config.resample(), resizes);
    }

    /**
     * {@code get_resize_output_image_size}: the longest side to {@code longestEdge}, the other side by the aspect
     * ratio, truncated and made even; then, beyond {@link Idefics3ImageProcessorConfig#MAX_LONGEST_EDGE}, scaled down
     * again. Returns {height, width}.
     */
    static int[] longestEdgeSize(int height, int width, int longestEdge) {
        double aspect = (double) width / height;
        if (width >= height) {
            width = longestEdge;
            height = (int) (width / aspect);
            height += height % 2;
        } else {
            height = longestEdge;
            width = (int) (height * aspect);
            width += width % 2;
        }
        height = Math.max(height, 1);
        width = Math.max(width, 1);
        // _resize_output_size_scale_below_upper_bound: only an odd longest_edge near the bound can reach it.
        int bound = Idefics3ImageProcessorConfig.MAX_LONGEST_EDGE;
        aspect = (double) width / height;
        if (width >= height && width > bound) {
            width = bound;
            height = (int) (width / aspect);
        } else if (height > width && height > bound) {
            height = bound;
            width = (int) (height * aspect);
        }
        return new int[]{Math.max(height, 1), Math.max(width, 1)};
    }

    /**
     * {@code resize_for_vision_encoder}: both sides up to multiples of {@code tile}, keeping the aspect ratio. Python's
     * {@code math.ceil(a / b)} on image sizes equals the integer ceiling division.
     */
    static int[] tileMultipleSize(int height, int width, int tile) {
        double aspect = (double) width / height;
        if (width >= height) {
            width = Math.ceilDiv(width, tile) * tile;
            height = Math.ceilDiv((int) (width / aspect), tile) * tile;
        } else {
            height = Math.ceilDiv(height, tile) * tile;
            width = Math.ceilDiv((int) (height * aspect), tile) * tile;
        }
        return new int[]{height, width};
    }
}
