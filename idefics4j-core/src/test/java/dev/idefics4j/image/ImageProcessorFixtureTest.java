package dev.idefics4j.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.SafeTensorsFile;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Every case of reference/image_processor.json: decode, resize at 30 and 224, pixel values, all exact. */
class ImageProcessorFixtureTest {
    private static SafeTensorsFile tensors;
    private static final ImageLoader LOADER = new ImageLoader();

    @BeforeAll
    static void open() {
        tensors = SafeTensorsFile.open(TestData.reference("image_processor.safetensors"));
    }

    @AfterAll
    static void close() {
        tensors.close();
        LOADER.close();
    }

    static List<JsonNode> cases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(TestData.reference("image_processor.json").toFile());
        List<JsonNode> cases = new ArrayList<>();
        root.get("cases").forEach(cases::add);
        return cases;
    }

    static Stream<Arguments> images() throws IOException {
        return cases().stream().map(c -> Arguments.of(imageName(c), c));
    }

    static Stream<Arguments> imagesAndSizes() throws IOException {
        return cases().stream().flatMap(c -> Stream.of(30, 224).map(s -> Arguments.of(imageName(c), s, c)));
    }

    private static String imageName(JsonNode c) {
        return c.get("image").asText().replace("images/", "");
    }

    private static RgbImage reference(JsonNode tensorRef) {
        long[] shape = tensors.info(tensorRef.get("key").asText()).shape();
        assertEquals(3, shape.length);
        assertEquals(3, shape[2]);
        return new RgbImage((int) shape[1], (int) shape[0], tensors.readBytes(tensorRef.get("key").asText()));
    }

    private static RgbImage decodeOwn(JsonNode c) {
        return LOADER.load(ImageSource.file(TestData.fixture(c.get("image").asText())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void decodesExactlyAsPillow(String image, JsonNode c) {
        RgbImage expected = reference(c.get("decoded_rgb_u8"));
        RgbImage actual = decodeOwn(c);
        assertEquals(c.get("width").asInt(), actual.width());
        assertEquals(c.get("height").asInt(), actual.height());
        assertSamePixels(expected, actual, image + " decoded");
    }

    @ParameterizedTest(name = "{0} -> {1}x{1}")
    @MethodSource("imagesAndSizes")
    void resizesReferenceDecodeExactly(String image, int size, JsonNode c) {
        RgbImage resized = PillowResize.resize(reference(c.get("decoded_rgb_u8")), size, size,
                ResampleFilter.BICUBIC);
        assertSamePixels(reference(c.get("sizes").get(Integer.toString(size)).get("resized_rgb_u8")), resized,
                image + " resized to " + size);
    }

    @ParameterizedTest(name = "{0} -> {1}x{1}")
    @MethodSource("imagesAndSizes")
    void resizesOwnDecodeExactly(String image, int size, JsonNode c) {
        RgbImage resized = PillowResize.resize(decodeOwn(c), size, size, ResampleFilter.BICUBIC);
        assertSamePixels(reference(c.get("sizes").get(Integer.toString(size)).get("resized_rgb_u8")), resized,
                image + " resized to " + size);
    }

    @ParameterizedTest(name = "{0} -> {1}x{1}")
    @MethodSource("imagesAndSizes")
    void pixelValuesAreExact(String image, int size, JsonNode c) {
        JsonNode ref = c.get("sizes").get(Integer.toString(size)).get("pixel_values");
        IdeficsImageProcessor processor = new IdeficsImageProcessor(ImageProcessorConfig.DEFAULTS.withImageSize(size));
        float[] actual = processor.pixelValues(decodeOwn(c));
        if (ref.isNull()) {
            // Not stored at 224 except for one image; the values still follow from the stored resized pixels.
            float[] fromResized = processor.pixelValues(reference(c.get("sizes").get(Integer.toString(size))
                    .get("resized_rgb_u8")));
            assertArrayEquals(fromResized, actual, image);
            return;
        }
        float[] expected = tensors.readFloats(ref.get("key").asText());
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(image + " at " + size + ": pixel_values[" + i + "] is " + actual[i] + ", reference "
                        + expected[i]);
            }
        }
    }

    static void assertSamePixels(RgbImage expected, RgbImage actual, String what) {
        assertEquals(expected.width(), actual.width(), what + " width");
        assertEquals(expected.height(), actual.height(), what + " height");
        int differing = 0;
        int maxDiff = 0;
        String first = null;
        for (int y = 0; y < expected.height(); y++) {
            for (int x = 0; x < expected.width(); x++) {
                for (int ch = 0; ch < 3; ch++) {
                    int d = Math.abs(expected.sample(x, y, ch) - actual.sample(x, y, ch));
                    if (d != 0) {
                        differing++;
                        maxDiff = Math.max(maxDiff, d);
                        if (first == null) {
                            first = "(" + x + "," + y + ") channel " + ch + ": " + actual.sample(x, y, ch)
                                    + " instead of " + expected.sample(x, y, ch);
                        }
                    }
                }
            }
        }
        if (differing != 0) {
            fail(what + ": " + differing + " samples differ (max " + maxDiff + "), first at " + first);
        }
    }
}
