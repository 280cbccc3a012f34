package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.image.ResampleFilter;
import dev.idefics4j.image.RgbConversion;
import dev.idefics4j.image.RgbImage;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.ProcessorCases;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of reference/tiny-idefics2/processor.json: the image processor (pixel_values bit for bit,
 * pixel_attention_mask, real_images, resize_calls), the prompt strings, and the whole call from prompt items
 * (input_ids and attention_mask too), all exact.
 */
class Idefics2ProcessorTest {
    private static final String MODEL = "tiny-idefics2";
    private static final ImageLoader LOADER = new ImageLoader();
    private static final Idefics2Processor PROCESSOR = Idefics2Processor.fromCheckpoint(TestData.model(MODEL), LOADER);

    @AfterAll
    static void close() {
        LOADER.close();
    }

    static Stream<Arguments> cases() {
        return ProcessorCases.of(List.of(MODEL), false);
    }

    static Stream<Arguments> imageCases() {
        return ProcessorCases.of(List.of(MODEL), true);
    }

    /** The case's {@code processor.image_processor.do_image_splitting = True} set-up, or none. */
    private static boolean splitSetUp(JsonNode call) {
        return call.path("setup").asText().contains("do_image_splitting = True");
    }

    /** The processor as the case's call saw it. */
    private static Idefics2Processor processor(JsonNode call) {
        if (!splitSetUp(call)) {
            return PROCESSOR;
        }
        return new Idefics2Processor(PROCESSOR.tokenizer(),
                new Idefics2ImageProcessor(PROCESSOR.imageProcessor().config().withImageSplitting(true)), LOADER,
                PROCESSOR.imageSeqLen());
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("imageCases")
    void imageProcessorMatchesTheReference(String model, String id, JsonNode c) {
        JsonNode call = c.get("call");
        Idefics2ImageProcessor imageProcessor = processor(call).imageProcessor();
        Idefics2ImageProcessor.Batch batch = imageProcessor.preprocess(
                ProcessorCases.images(call, RgbConversion.DROP_ALPHA));
        ProcessorCases.assertPixelsMatch(model, c, batch.pixels());
        assertArrayEquals(ReferenceCase.intMatrix(c.get("resize_calls")), ProcessorCases.asArrays(batch.resizeCalls()),
                "resize_calls");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("cases")
    void promptStringsAreTheReferenceStrings(String model, String id, JsonNode c) {
        List<String> texts = ProcessorCases.texts(c.get("call"));
        int seqLen = ProcessorCases.processorJson(model).get("image_seq_len").asInt();
        for (int b = 0; b < texts.size(); b++) {
            assertEquals(c.get("prompt_strings").get(b).asText(),
                    Idefics2Processor.promptString(texts.get(b), splitSetUp(c.get("call")), seqLen), "sample " + b);
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("cases")
    void processesPromptItemsAsTheReference(String model, String id, JsonNode c) {
        JsonNode call = c.get("call");
        ModelInputs inputs = processor(call).process(ProcessorCases.prompts(call),
                ProcessorCases.options(call));
        assertEquals(ReferenceCase.strings(c.get("prompt_strings")), inputs.promptStrings());
        assertArrayEquals(ReferenceCase.intMatrix(c.get("input_ids")), inputs.inputIds(), "input_ids");
        assertArrayEquals(ReferenceCase.intMatrix(c.get("attention_mask")), inputs.attentionMask(), "attention_mask");
        if (c.has("pixel_values")) {
            ProcessorCases.assertPixelsMatch(model, c, pixels(inputs));
        } else {
            assertNull(inputs.images());
        }
    }

    /**
     * transformers 4.46 raises IndexError when the first sample has no image; the same samples in another order
     * (batch3: cat, text only, palette coffee + small cat) show what the call means, row for row.
     */
    @Test
    void firstSampleWithoutImageIsTheBatchInAnotherOrder() {
        JsonNode batch3 = ReferenceCase.cases(TestData.reference(MODEL + "/processor.json")).get("batch3");
        List<List<PromptItem>> prompts = ProcessorCases.prompts(batch3.get("call"));
        ModelInputs reordered = PROCESSOR.process(List.of(prompts.get(1), prompts.get(0), prompts.get(2)),
                ProcessorOptions.DEFAULTS);
        int[][] ids = ReferenceCase.intMatrix(batch3.get("input_ids"));
        assertArrayEquals(new int[][]{ids[1], ids[0], ids[2]}, reordered.inputIds());
        float[] reference = ReferenceCase.floats(TestData.reference(MODEL), batch3.get("pixel_values"));
        PixelBatch pixels = pixels(reordered);
        int sample = pixels.maxImages() * pixels.valuesPerImage();
        int[] order = {1, 0, 2};
        for (int b = 0; b < 3; b++) {
            assertArrayEquals(Arrays.copyOfRange(reference, order[b] * sample, (order[b] + 1) * sample),
                    Arrays.copyOfRange(pixels.pixelValues(), b * sample, (b + 1) * sample), "row " + b);
        }
        assertArrayEquals(new int[]{0, 1, 2}, pixels.imagesPerSample());
    }

    /** Splitting asked for with the call splits the text too (the reference splits only the pixels). */
    @Test
    void splittingPerCallSplitsTextAndPixels() {
        JsonNode split = ReferenceCase.cases(TestData.reference(MODEL + "/processor.json")).get("one_image_split");
        ModelInputs inputs = PROCESSOR.process(ProcessorCases.prompts(split.get("call")),
                ProcessorOptions.DEFAULTS.withImageSplitting(true));
        assertEquals(ReferenceCase.strings(split.get("prompt_strings")), inputs.promptStrings());
        ProcessorCases.assertPixelsMatch(MODEL, split, pixels(inputs));
    }

    /** IDEFICS v1's options are refused by name rather than ignored. */
    @Test
    void refusesTheOptionsOfAnotherProcessor() {
        List<PromptItem> prompt = List.of(PromptItem.text("Hi"));
        String eos = assertThrows(IllegalArgumentException.class, () -> PROCESSOR.process(List.of(prompt),
                ProcessorOptions.DEFAULTS.withAddEosToken(true))).getMessage();
        assertTrue(eos.contains("add_eos_token"), eos);
        String eou = assertThrows(IllegalArgumentException.class, () -> PROCESSOR.process(List.of(prompt),
                ProcessorOptions.DEFAULTS.withAddEndOfUtteranceToken(true))).getMessage();
        assertTrue(eou.contains("add_end_of_utterance_token"), eou);
        assertEquals(1, PROCESSOR.process(List.of(prompt), ProcessorOptions.DEFAULTS
                .withAddEndOfUtteranceToken(false)).batchSize());
    }

    /** The markup and end-of-turn tokens the tasks ask for, from the checkpoint's tokenizer. */
    @Test
    void answersTheProcessorInterface() {
        assertEquals(List.of(32001, 32000), PROCESSOR.imageMarkupTokenIds());
        assertArrayEquals(new int[]{32002}, PROCESSOR.endOfUtteranceIds());
        assertTrue(PROCESSOR.instruct());
    }

    private static PixelBatch pixels(ModelInputs inputs) {
        return ((Idefics2ImageInputs) inputs.images()).pixels();
    }

    @Test
    void readsTheCheckpointConfigs() {
        Idefics2ImageProcessorConfig config = PROCESSOR.imageProcessor().config();
        assertEquals(16, config.shortestEdge());
        assertEquals(32, config.longestEdge());
        assertEquals(ResampleFilter.BILINEAR, config.resample());
        assertEquals(8, PROCESSOR.imageSeqLen());
        assertTrue(!config.doImageSplitting() && config.doPad() && config.doResize());
    }

    @Test
    void absentKeysTakeTransformersDefaultsAndBadOnesAreNamed() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals(Idefics2ImageProcessorConfig.DEFAULTS,
                Idefics2ImageProcessorConfig.fromJson(json.readTree("{}"), "pp.json"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Idefics2ImageProcessorConfig.fromJson(
                json.readTree("{\"size\": {\"longest_edge\": 10}}"), "pp.json"));
        assertTrue(e.getMessage().startsWith("pp.json: field 'size' must be {\"shortest_edge\""), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Idefics2ImageProcessorConfig.fromJson(
                json.readTree("{\"size\": {\"shortest_edge\": 1000000, \"longest_edge\": 980}}"), "pp.json"));
        assertTrue(e.getMessage().startsWith("pp.json: size.shortest_edge 1000000 is larger than 8192 (one image "
                + "would take 11444091 MiB"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Idefics2ImageProcessorConfig.fromJson(
                json.readTree("{\"size\": {\"shortest_edge\": 378, \"longest_edge\": 1000000}}"), "pp.json"));
        assertTrue(e.getMessage().startsWith("pp.json: size.longest_edge 1000000 is larger than 8192"),
                e.getMessage());
    }

    /** Sizes worked out by hand from the reference's formula. */
    @Test
    void sizeRules() {
        // 97x61, longest 32: 32 x int(32 / 1.59) = 20; a small image is only raised to the shortest edge.
        assertArrayEquals(new int[]{20, 32}, Idefics2ImageProcessor.outputSize(61, 97, 16, 32));
        assertArrayEquals(new int[]{16, 20}, Idefics2ImageProcessor.outputSize(16, 20, 16, 32));
        assertArrayEquals(new int[]{16, 16}, Idefics2ImageProcessor.outputSize(8, 10, 16, 32));
        assertArrayEquals(new int[]{32, 25}, Idefics2ImageProcessor.outputSize(80, 64, 16, 32));
    }

    @Test
    void quartersThenTheWholeImage() {
        RgbImage image = new RgbImage(5, 3, new byte[5 * 3 * 3]);
        List<RgbImage> parts = Idefics2ImageProcessor.split(image);
        assertEquals(List.of("2x1", "3x1", "2x2", "3x2", "5x3"),
                parts.stream().map(p -> p.width() + "x" + p.height()).toList());
        assertThrows(IllegalArgumentException.class, () -> Idefics2ImageProcessor.split(new RgbImage(1, 4,
                new byte[12])));
    }

    @Test
    void imageSeqLenMustAgreeWithThePerceiver(@TempDir Path tmp) throws Exception {
        Files.copy(TestData.model(MODEL).resolve("config.json"), tmp.resolve("config.json"));
        assertEquals(8, Idefics2Processor.imageSeqLen(tmp));
        Files.writeString(tmp.resolve("processor_config.json"), "{\"image_seq_len\": 64}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Idefics2Processor.imageSeqLen(tmp));
        assertTrue(e.getMessage().contains("perceiver_config.resampler_n_latents give 8"), e.getMessage());
    }

    @Test
    void withoutPaddingImagesMustShareOneSize() {
        Idefics2ImageProcessorConfig base = Idefics2ImageProcessorConfig.DEFAULTS;
        Idefics2ImageProcessor processor = new Idefics2ImageProcessor(new Idefics2ImageProcessorConfig(true, true, 16,
                32, ResampleFilter.BILINEAR, false, base.normalization(), false));
        RgbImage wide = new RgbImage(40, 20, new byte[40 * 20 * 3]);
        RgbImage square = new RgbImage(40, 40, new byte[40 * 40 * 3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> processor.preprocess(List.of(List.of(wide), List.of(square))));
        assertTrue(e.getMessage().contains("different sizes (32x16 and 32x32)"), e.getMessage());
        assertEquals(2, processor.preprocess(List.of(List.of(square), List.of(square))).pixels().batchSize());
    }

    @Test
    void adjacentImagesShareOneFakeToken() {
        assertEquals("a<fake_token_around_image><image><fake_token_around_image><image><fake_token_around_image>b",
                Idefics2Processor.promptString("a<image><image>b", false, 1));
        assertEquals("<fake_token_around_image>" + "<image><fake_token_around_image>".repeat(5),
                Idefics2Processor.promptString("<image>", true, 1));
    }
}
