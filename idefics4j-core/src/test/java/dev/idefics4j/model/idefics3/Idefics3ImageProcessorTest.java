package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.image.PillowResize;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.image.ResampleFilter;
import dev.idefics4j.image.ResizeCall;
import dev.idefics4j.image.RgbConversion;
import dev.idefics4j.image.RgbImage;
import dev.idefics4j.testing.ProcessorCases;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case with images of reference/tiny-idefics3 and tiny-smolvlm processor.json through the image processor:
 * pixel_values bit for bit, pixel_attention_mask, real_images, resize_calls, rows and cols, all exact. Images are
 * loaded as the cases' load_image (the Image.open cases are RGB files, the same either way).
 */
class Idefics3ImageProcessorTest {
    static Stream<Arguments> imageCases() {
        return ProcessorCases.of(List.of("tiny-idefics3", "tiny-smolvlm"), true);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("imageCases")
    void matchesTheReference(String model, String id, JsonNode c) {
        Idefics3ImageProcessor processor = Idefics3ImageProcessor.fromCheckpoint(TestData.model(model));
        JsonNode kwargs = c.get("call").get("kwargs");
        Idefics3ImageProcessor.Batch batch = processor.preprocess(
                ProcessorCases.images(c.get("call"), RgbConversion.DROP_ALPHA),
                kwargs.path("do_resize").asBoolean(processor.config().doResize()),
                kwargs.path("do_image_splitting").asBoolean(processor.config().doImageSplitting()));
        assertBatchMatches(model, c, batch);
    }

    static void assertBatchMatches(String model, JsonNode c, Idefics3ImageProcessor.Batch batch) {
        ProcessorCases.assertPixelsMatch(model, c, batch.pixels());
        assertArrayEquals(ReferenceCase.intMatrix(c.get("rows")), batch.rows(), "rows");
        assertArrayEquals(ReferenceCase.intMatrix(c.get("cols")), batch.cols(), "cols");
        assertArrayEquals(ReferenceCase.intMatrix(c.get("resize_calls")), resizeCalls(batch), "resize_calls");
    }

    /**
     * The reference runs each step over the whole batch before the next (first resizes of all images, then the
     * tile-multiple ones, then the global images), so its call order is by step, then by image.
     */
    private static int[][] resizeCalls(Idefics3ImageProcessor.Batch batch) {
        List<Idefics3ImageProcessor.SplitImage> all = batch.images().stream().flatMap(List::stream).toList();
        List<ResizeCall> calls = new ArrayList<>();
        for (int step = 0; step < 3; step++) {
            for (Idefics3ImageProcessor.SplitImage image : all) {
                if (step < image.resizes().size()) {
                    calls.add(image.resizes().get(step));
                }
            }
        }
        return ProcessorCases.asArrays(calls);
    }

    @Test
    void readsTheCheckpointConfigs() {
        Idefics3ImageProcessorConfig idefics3 = Idefics3ImageProcessorConfig.load(TestData.model("tiny-idefics3"));
        assertEquals(72, idefics3.longestEdge());
        assertEquals(24, idefics3.maxImageSize());
        assertEquals(ResampleFilter.LANCZOS, idefics3.resample());
        assertTrue(idefics3.doImageSplitting() && idefics3.doPad() && idefics3.doResize());
        assertArrayEquals(new float[]{0.5f, 0.5f, 0.5f}, idefics3.normalization().std());
        Idefics3ImageProcessorConfig smolvlm = Idefics3ImageProcessorConfig.load(
                TestData.fixture("real/SmolVLM-256M-Instruct"));
        assertEquals(2048, smolvlm.longestEdge());
        assertEquals(512, smolvlm.maxImageSize());
    }

    @Test
    void absentKeysTakeTransformersDefaults() throws Exception {
        assertEquals(Idefics3ImageProcessorConfig.DEFAULTS,
                Idefics3ImageProcessorConfig.fromJson(new ObjectMapper().readTree("{}"), "test"));
    }

    @Test
    void badConfigsNameTheField() throws Exception {
        ObjectMapper json = new ObjectMapper();
        CheckpointException e = assertThrows(CheckpointException.class, () -> Idefics3ImageProcessorConfig.fromJson(
                json.readTree("{\"resample\": 0}"), "pp.json"));
        assertTrue(e.getMessage().startsWith("pp.json: field 'resample'") && e.getMessage().contains("NEAREST"),
                e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Idefics3ImageProcessorConfig.fromJson(
                json.readTree("{\"size\": {\"height\": 10, \"width\": 10}}"), "pp.json"));
        assertTrue(e.getMessage().contains("'size' must be {\"longest_edge\": n}"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Idefics3ImageProcessorConfig.fromJson(
                json.readTree("{\"size\": {\"longest_edge\": 5000}}"), "pp.json"));
        assertTrue(e.getMessage().contains("larger than 4096"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Idefics3ImageProcessorConfig.fromJson(
                json.readTree("{\"size\": {\"longest_edge\": 1000000}}"), "pp.json"));
        assertTrue(e.getMessage().startsWith("pp.json: size.longest_edge 1000000 is larger than 4096"),
                e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Idefics3ImageProcessorConfig.fromJson(
                json.readTree("{\"max_image_size\": {\"longest_edge\": 1000000}}"), "pp.json"));
        assertTrue(e.getMessage().startsWith("pp.json: max_image_size.longest_edge 1000000 is larger than 4096 (one "
                + "tile would take 11444091 MiB"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Idefics3ImageProcessorConfig.fromJson(
                json.readTree("{\"image_processor_type\": \"Idefics2ImageProcessor\"}"), "pp.json"));
        assertTrue(e.getMessage().contains("not Idefics3ImageProcessor"), e.getMessage());
    }

    /** Sizes worked out by hand from the reference's formulas. */
    @Test
    void sizeRules() {
        // 97x61 to longest edge 72: 72 / (97/61) = 45.27 -> 45 -> even 46.
        assertArrayEquals(new int[]{46, 72}, Idefics3ImageProcessor.longestEdgeSize(61, 97, 72));
        // Square: both sides 72; a 1-pixel-high strip keeps 1 (int(0.x) = 0, even 0, at least 1).
        assertArrayEquals(new int[]{72, 72}, Idefics3ImageProcessor.longestEdgeSize(48, 48, 72));
        assertArrayEquals(new int[]{1, 72}, Idefics3ImageProcessor.longestEdgeSize(1, 400, 72));
        // Tall: 80x64 -> 72 x int(57.6) = 57 -> 58.
        assertArrayEquals(new int[]{72, 58}, Idefics3ImageProcessor.longestEdgeSize(80, 64, 72));
        // 46x72 -> width 72, height int(72 / (72/46)) = 46 -> ceil to 48.
        assertArrayEquals(new int[]{48, 72}, Idefics3ImageProcessor.tileMultipleSize(46, 72, 24));
        assertArrayEquals(new int[]{24, 24}, Idefics3ImageProcessor.tileMultipleSize(16, 20, 24));
        // SmolVLM's sizes: 2048 / 1.4 = 1462.86 -> 1462; then up to 3 x 512 rows, 4 x 512 columns.
        assertArrayEquals(new int[]{1462, 2048}, Idefics3ImageProcessor.longestEdgeSize(1200, 1680, 2048));
        assertArrayEquals(new int[]{1536, 2048}, Idefics3ImageProcessor.tileMultipleSize(1462, 2048, 512));
    }

    @Test
    void tilesAreTheResizedImageCutRowByRow() {
        byte[] pixels = new byte[10 * 4 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) i;
        }
        RgbImage image = new RgbImage(10, 4, pixels);
        Idefics3ImageProcessorConfig config = new Idefics3ImageProcessorConfig(true, false, 10,
                ResampleFilter.BILINEAR, true, 5, Idefics3ImageProcessorConfig.DEFAULTS.normalization(), true);
        Idefics3ImageProcessor.SplitImage split = new Idefics3ImageProcessor(config).split(image, false, true);
        // 10x4 -> 10 x ceil(int(10 / 2.5) / 5) * 5 = 10x5: two 5x5 tiles and the global image.
        assertEquals(1, split.rows());
        assertEquals(2, split.cols());
        assertEquals(3, split.frames().size());
        RgbImage resized = PillowResize.resize(image, 10, 5, ResampleFilter.BILINEAR);
        assertEquals(resized.crop(0, 0, 5, 5), split.frames().get(0));
        assertEquals(resized.crop(5, 0, 5, 5), split.frames().get(1));
        assertEquals(PillowResize.resize(resized, 5, 5, ResampleFilter.BILINEAR),
                split.frames().get(2));
        assertEquals(List.of(new ResizeCall(4, 10, 5, 10),
                new ResizeCall(5, 10, 5, 5)), split.resizes());
    }

    @Test
    void withoutPaddingSamplesNeedEqualFrameCounts() {
        Idefics3ImageProcessorConfig base = Idefics3ImageProcessorConfig.DEFAULTS;
        Idefics3ImageProcessor processor = new Idefics3ImageProcessor(new Idefics3ImageProcessorConfig(true, true, 48,
                ResampleFilter.LANCZOS, true, 24, base.normalization(), false));
        RgbImage wide = new RgbImage(40, 20, new byte[40 * 20 * 3]);
        RgbImage square = new RgbImage(10, 10, new byte[10 * 10 * 3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> processor.preprocess(List.of(List.of(wide), List.of(square))));
        assertTrue(e.getMessage().contains("do_pad is false"), e.getMessage());
        PixelBatch same = processor.preprocess(List.of(List.of(square), List.of(square))).pixels();
        assertEquals(5, same.maxImages());
        assertTrue(Arrays.equals(same.imagesPerSample(), new int[]{5, 5}));
    }
}
