package dev.idefics4j.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdeficsImageProcessorTest {
    private static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    @TempDir
    Path tmp;

    @Test
    void readsTheCheckpointsPreprocessorConfig() {
        for (String model : new String[]{"tiny", "tiny-80b-style", "tiny-noresampler"}) {
            IdeficsImageProcessor processor = IdeficsImageProcessor.fromCheckpoint(TestData.model(model));
            assertEquals(30, processor.imageSize(), model);
            assertArrayEquals(CLIP_MEAN, processor.config().imageMean(), model);
            assertArrayEquals(CLIP_STD, processor.config().imageStd(), model);
            assertEquals(3 * 30 * 30, processor.valuesPerImage());
        }
    }

    @Test
    void absentKeysTakeTransformersDefaults() throws IOException {
        ImageProcessorConfig config = ImageProcessorConfig.fromJson(new ObjectMapper().readTree("{}"));
        assertEquals(ImageProcessorConfig.DEFAULTS, config);
        assertEquals(224, config.imageSize());
        assertArrayEquals(CLIP_MEAN, config.imageMean());
        assertEquals(1 / 255.0, config.rescaleFactor());
    }

    @Test
    void oneNumberMeansEveryChannel() throws IOException {
        ImageProcessorConfig config = ImageProcessorConfig.fromJson(new ObjectMapper().readTree(
                "{\"image_size\": 16, \"image_mean\": 0.5, \"image_std\": [1, 2, 4]}"));
        assertArrayEquals(new float[]{0.5f, 0.5f, 0.5f}, config.imageMean());
        assertArrayEquals(new float[]{1, 2, 4}, config.imageStd());
        float[] values = new IdeficsImageProcessor(config).pixelValues(solid(16, 16, 255, 0, 51));
        assertEquals(0.5f, values[0]);
        assertEquals(-0.25f, values[16 * 16]);
        assertEquals((0.2f - 0.5f) / 4, values[2 * 16 * 16], 1e-7);
    }

    @Test
    void badConfigsNameTheFile() throws IOException {
        Path file = tmp.resolve("preprocessor_config.json");
        Files.writeString(file, "{\"image_size\": \"big\"}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> ImageProcessorConfig.load(tmp));
        assertTrue(e.getMessage().startsWith(file + ": image_size must be an integer"), e.getMessage());
        Files.writeString(file, "{\"image_num_channels\": 1}");
        e = assertThrows(CheckpointException.class, () -> ImageProcessorConfig.load(file));
        assertTrue(e.getMessage().contains("only 3-channel"), e.getMessage());
        Files.writeString(file, "{\"image_size\": 1000000}");
        e = assertThrows(CheckpointException.class, () -> ImageProcessorConfig.load(file));
        assertTrue(e.getMessage().startsWith(file + ": image_size is 1000000, more than 8192: one image would take "
                + "11444091 MiB"), e.getMessage());
        Files.writeString(file, "{not json");
        e = assertThrows(CheckpointException.class, () -> ImageProcessorConfig.load(file));
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> ImageProcessorConfig.load(tmp.resolve("missing")));
        assertTrue(e.getMessage().endsWith("missing: not found"), e.getMessage());
    }

    @Test
    void batchIsTheImagesOneAfterAnother() {
        IdeficsImageProcessor processor = new IdeficsImageProcessor(ImageProcessorConfig.DEFAULTS.withImageSize(30));
        RgbImage a = solid(40, 20, 10, 20, 30);
        RgbImage b = solid(7, 9, 250, 128, 0);
        float[] batch = processor.pixelValues(List.of(a, b));
        int n = processor.valuesPerImage();
        assertEquals(2 * n, batch.length);
        assertArrayEquals(processor.pixelValues(a), Arrays.copyOfRange(batch, 0, n));
        assertArrayEquals(processor.pixelValues(b), Arrays.copyOfRange(batch, n, 2 * n));

        float[] padded = new float[3 * n];
        processor.writePixelValues(b, padded, n);
        assertArrayEquals(new float[n], Arrays.copyOfRange(padded, 0, n));
        assertArrayEquals(processor.pixelValues(b), Arrays.copyOfRange(padded, n, 2 * n));
        assertThrows(IndexOutOfBoundsException.class, () -> processor.writePixelValues(b, padded, 2 * n + 1));
    }

    @Test
    void channelsFirstWithTheReferenceArithmetic() {
        IdeficsImageProcessor processor = new IdeficsImageProcessor(ImageProcessorConfig.DEFAULTS.withImageSize(2));
        float[] values = processor.pixelValues(solid(2, 2, 0, 128, 255));
        for (int c = 0; c < 3; c++) {
            int u8 = new int[]{0, 128, 255}[c];
            float expected = ((float) (u8 * (1 / 255.0)) - CLIP_MEAN[c]) / CLIP_STD[c];
            for (int i = 0; i < 4; i++) {
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(values[c * 4 + i]));
            }
        }
    }

    static RgbImage solid(int width, int height, int r, int g, int b) {
        byte[] pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.length; i += 3) {
            pixels[i] = (byte) r;
            pixels[i + 1] = (byte) g;
            pixels[i + 2] = (byte) b;
        }
        return new RgbImage(width, height, pixels);
    }
}
