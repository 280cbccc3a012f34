package dev.idefics4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.image.ResizeCall;
import dev.idefics4j.image.RgbConversion;
import dev.idefics4j.image.RgbImage;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.tokenizer.Padding;
import org.junit.jupiter.params.provider.Arguments;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The processor.json cases of the Idefics2, Idefics3 and SmolVLM fixtures: their calls as Java inputs and the
 * comparison of a padded pixel batch with the reference's tensors.
 */
public final class ProcessorCases {
    public static final String IMAGE_TOKEN = "<image>";
    private static final ImageLoader LOADER = new ImageLoader();

    private ProcessorCases() {
    }

    /** (model, case id, case) of every case of the models' processor.json, those with images only if asked. */
    public static Stream<Arguments> of(List<String> models, boolean withImagesOnly) {
        return models.stream().flatMap(model ->
                ReferenceCase.cases(TestData.reference(model + "/processor.json")).values().stream()
                        .filter(c -> !withImagesOnly || c.has("pixel_values"))
                        .map(c -> Arguments.of(model, c.get("id").asText(), c)));
    }

    public static JsonNode processorJson(String model) {
        return ReferenceCase.json(TestData.reference(model + "/processor.json"));
    }

    /** The call's texts: a bare string is one sample. */
    public static List<String> texts(JsonNode call) {
        JsonNode text = call.get("text");
        return text.isTextual() ? List.of(text.asText()) : ReferenceCase.strings(text);
    }

    /** The image items ({"image", "loader"}) of sample {@code sample}; none for a text-only call. */
    private static List<JsonNode> imageItems(JsonNode call, int sample) {
        JsonNode images = call.get("images");
        List<JsonNode> out = new ArrayList<>();
        if (images == null || images.isNull()) {
            return out;
        }
        if (images.isObject()) {
            out.add(images);
        } else {
            images.get(sample).forEach(out::add);
        }
        return out;
    }

    private static ImageSource source(JsonNode item) {
        return ImageSource.file(TestData.fixture(item.get("image").asText()));
    }

    /** The call's images per sample, loaded with {@code conversion}. */
    public static List<List<RgbImage>> images(JsonNode call, RgbConversion conversion) {
        List<List<RgbImage>> out = new ArrayList<>();
        for (int b = 0; b < texts(call).size(); b++) {
            out.add(imageItems(call, b).stream().map(item -> LOADER.load(source(item), conversion)).toList());
        }
        return out;
    }

    /** The call as prompts of items: an image item where the text has {@code <image>}. */
    public static List<List<PromptItem>> prompts(JsonNode call) {
        List<String> texts = texts(call);
        List<List<PromptItem>> prompts = new ArrayList<>();
        for (int b = 0; b < texts.size(); b++) {
            List<JsonNode> images = imageItems(call, b);
            String[] parts = texts.get(b).split(IMAGE_TOKEN, -1);
            assertEquals(images.size() + 1, parts.length, "images of sample " + b);
            List<PromptItem> prompt = new ArrayList<>();
            for (int i = 0; i < parts.length; i++) {
                if (!parts[i].isEmpty()) {
                    prompt.add(PromptItem.text(parts[i]));
                }
                if (i < images.size()) {
                    prompt.add(PromptItem.image(source(images.get(i))));
                }
            }
            prompts.add(prompt);
        }
        return prompts;
    }

    /** The call's keyword arguments; no padding when absent, as the reference's default. */
    public static ProcessorOptions options(JsonNode call) {
        JsonNode kwargs = call.get("kwargs");
        JsonNode padding = kwargs.get("padding");
        Padding strategy = padding == null ? Padding.NONE
                : padding.isBoolean() ? (padding.asBoolean() ? Padding.LONGEST : Padding.NONE)
                : ProcessorOptions.parsePadding(padding.asText());
        Integer maxLength = kwargs.has("max_length") ? kwargs.get("max_length").asInt() : null;
        return ProcessorOptions.DEFAULTS.withMaxLength(maxLength).withPadding(strategy)
                .withAddSpecialTokens(kwargs.path("add_special_tokens").asBoolean(true))
                .withImageSplitting(optionalBool(kwargs, "do_image_splitting"))
                .withResize(optionalBool(kwargs, "do_resize"));
    }

    private static Boolean optionalBool(JsonNode kwargs, String name) {
        return kwargs.has(name) ? kwargs.get(name).asBoolean() : null;
    }

    /** pixel_values bit for bit, pixel_attention_mask and real_images as the case's. */
    public static void assertPixelsMatch(String model, JsonNode c, PixelBatch pixels) {
        Path dir = TestData.reference(model);
        JsonNode pv = c.get("pixel_values");
        assertArrayEquals(ReferenceCase.shape(pv),
                new int[]{pixels.batchSize(), pixels.maxImages(), 3, pixels.height(), pixels.width()}, "shape");
        float[] expected = ReferenceCase.floats(dir, pv);
        float[] actual = pixels.pixelValues();
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail("pixel_values[" + i + "] is " + actual[i] + ", reference " + expected[i]);
            }
        }
        long[] mask = ReferenceCase.longs(dir, c.get("pixel_attention_mask"));
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != pixels.pixelAttentionMask()[i]) {
                fail("pixel_attention_mask[" + i + "] is " + pixels.pixelAttentionMask()[i] + ", reference " + mask[i]);
            }
        }
        assertArrayEquals(ReferenceCase.intMatrix(c.get("real_images")), realImages(pixels), "real_images");
    }

    /** 1 where an image of the batch is not all zeros, as the reference's real_images. */
    private static int[][] realImages(PixelBatch pixels) {
        int[][] real = new int[pixels.batchSize()][pixels.maxImages()];
        int n = pixels.valuesPerImage();
        for (int b = 0; b < pixels.batchSize(); b++) {
            for (int i = 0; i < pixels.maxImages(); i++) {
                int from = (b * pixels.maxImages() + i) * n;
                for (int k = from; k < from + n && real[b][i] == 0; k++) {
                    real[b][i] = pixels.pixelValues()[k] != 0 ? 1 : 0;
                }
            }
        }
        return real;
    }

    /** Resize calls as the reference lists them, {@code [in_h, in_w, out_h, out_w]}. */
    public static int[][] asArrays(List<ResizeCall> calls) {
        return calls.stream().map(r -> new int[]{r.inHeight(), r.inWidth(), r.outHeight(), r.outWidth()})
                .toArray(int[][]::new);
    }
}
