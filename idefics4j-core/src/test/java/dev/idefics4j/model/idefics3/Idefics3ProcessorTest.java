package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.ProcessorCases;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.tokenizer.Tokenizer;
import dev.idefics4j.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
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

/** Every case of reference/tiny-idefics3 and tiny-smolvlm processor.json through Idefics3Processor. */
class Idefics3ProcessorTest {
    private static final List<String> MODELS = List.of("tiny-idefics3", "tiny-smolvlm");
    private static final ImageLoader LOADER = new ImageLoader();

    static Stream<Arguments> cases() {
        return ProcessorCases.of(MODELS, false);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void promptStringsAreTheReferenceStrings(String model, String id, JsonNode c) {
        List<String> texts = ProcessorCases.texts(c.get("call"));
        int seqLen = ProcessorCases.processorJson(model).get("image_seq_len").asInt();
        int[][] rows = c.has("rows") ? ReferenceCase.intMatrix(c.get("rows")) : new int[texts.size()][0];
        int[][] cols = c.has("cols") ? ReferenceCase.intMatrix(c.get("cols")) : new int[texts.size()][0];
        for (int b = 0; b < texts.size(); b++) {
            assertEquals(c.get("prompt_strings").get(b).asText(),
                    Idefics3Processor.promptString(texts.get(b), rows[b], cols[b], seqLen), "sample " + b);
        }
    }

    /**
     * The whole call from prompt items: loading, options, image processor and prompt rules (ids are checked by
     * {@link #idsAreTheReferenceIds}).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void processesPromptItemsAsTheReference(String model, String id, JsonNode c) {
        Path dir = TestData.model(model);
        Idefics3Processor processor = Idefics3Processor.fromCheckpoint(dir, LOADER);
        ModelInputs inputs = processor.process(ProcessorCases.prompts(c.get("call")),
                ProcessorCases.options(c.get("call")));
        assertEquals(ReferenceCase.strings(c.get("prompt_strings")), inputs.promptStrings());
        if (!c.has("pixel_values")) {
            assertNull(inputs.images());
            return;
        }
        Idefics3ImageInputs images = (Idefics3ImageInputs) inputs.images();
        ProcessorCases.assertPixelsMatch(model, c, images.pixels());
        assertArrayEquals(ReferenceCase.intMatrix(c.get("rows")), images.rows(), "rows");
        assertArrayEquals(ReferenceCase.intMatrix(c.get("cols")), images.cols(), "cols");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void idsAreTheReferenceIds(String model, String id, JsonNode c) {
        Idefics3Processor processor = Idefics3Processor.fromCheckpoint(TestData.model(model),
                LOADER);
        ModelInputs inputs = processor.process(ProcessorCases.prompts(c.get("call")),
                ProcessorCases.options(c.get("call")));
        assertArrayEquals(ReferenceCase.intMatrix(c.get("input_ids")), inputs.inputIds(), "input_ids");
        assertArrayEquals(ReferenceCase.intMatrix(c.get("attention_mask")), inputs.attentionMask(), "attention_mask");
        int imageId = processor.tokenizer().findTokenId(Idefics3Processor.IMAGE_TOKEN).orElseThrow();
        int[] perRow = Arrays.stream(inputs.inputIds()).mapToInt(r -> (int) Arrays.stream(r)
                .filter(t -> t == imageId).count()).toArray();
        assertArrayEquals(ReferenceCase.intArray(c.get("image_tokens_per_row")), perRow, "image_tokens_per_row");
    }

    /**
     * transformers 4.46 raises IndexError when the first sample has no image; the same samples in another order
     * (batch3: cat, text only, rocket + small cat) show what the call means, row for row.
     */
    @Test
    void firstSampleWithoutImageIsTheBatchInAnotherOrder() {
        Path dir = TestData.model("tiny-idefics3");
        Idefics3Processor processor = Idefics3Processor.fromCheckpoint(dir, LOADER);
        JsonNode batch3 = ReferenceCase.cases(TestData.reference("tiny-idefics3/processor.json")).get("batch3");
        List<List<PromptItem>> prompts = ProcessorCases.prompts(batch3.get("call"));
        ModelInputs reordered = processor.process(List.of(prompts.get(1), prompts.get(0), prompts.get(2)),
                ProcessorOptions.DEFAULTS);
        List<String> expected = ReferenceCase.strings(batch3.get("prompt_strings"));
        assertEquals(List.of(expected.get(1), expected.get(0), expected.get(2)), reordered.promptStrings());
        float[] reference = ReferenceCase.floats(TestData.reference("tiny-idefics3"), batch3.get("pixel_values"));
        PixelBatch pixels = ((Idefics3ImageInputs) reordered.images()).pixels();
        int sample = pixels.maxImages() * pixels.valuesPerImage();
        assertEquals(reference.length, pixels.pixelValues().length);
        int[] order = {1, 0, 2};
        for (int b = 0; b < 3; b++) {
            assertArrayEquals(Arrays.copyOfRange(reference, order[b] * sample, (order[b] + 1) * sample),
                    Arrays.copyOfRange(pixels.pixelValues(), b * sample, (b + 1) * sample), "row " + b);
        }
        assertArrayEquals(new int[]{0, 7, 17}, pixels.imagesPerSample());
        assertArrayEquals(new int[]{0, 1, 2}, reordered.images().imagesPerRow());
    }

    @Test
    void imageCountsMustMatchThePlaceholders() {
        Path dir = TestData.model("tiny-smolvlm");
        Idefics3Processor processor = new Idefics3Processor(Tokenizers.load(dir),
                Idefics3ImageProcessor.fromCheckpoint(dir), LOADER, 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> processor.process(List.of("<image>a<image>"), List.of(List.of()), ProcessorOptions.DEFAULTS));
        assertTrue(e.getMessage().contains("images in the text [2] and images [0]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> processor.process(
                List.of(List.of(PromptItem.text("a <image> b"))), ProcessorOptions.DEFAULTS));
        assertTrue(e.getMessage().contains("[1] and images [0]"), e.getMessage());
    }

    @Test
    void imageSeqLenComesFromProcessorConfigOrTheModelConfig(@TempDir Path tmp) throws IOException {
        assertEquals(9, Idefics3Processor.imageSeqLen(TestData.model("tiny-idefics3")));
        assertEquals(9, Idefics3Processor.imageSeqLen(TestData.model("tiny-smolvlm")));
        assertEquals(64, Idefics3Processor.imageSeqLen(TestData.fixture("real/SmolVLM-256M-Instruct")));
        Files.copy(TestData.model("tiny-smolvlm").resolve("config.json"), tmp.resolve("config.json"));
        assertEquals(9, Idefics3Processor.imageSeqLen(tmp));
        Files.writeString(tmp.resolve("processor_config.json"), "{\"image_seq_len\": 16}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Idefics3Processor.imageSeqLen(tmp));
        assertTrue(e.getMessage().contains("image_seq_len is 16 but config.json's vision image_size"), e.getMessage());
        Files.delete(tmp.resolve("config.json"));
        assertEquals(16, Idefics3Processor.imageSeqLen(tmp));
        Files.delete(tmp.resolve("processor_config.json"));
        assertEquals(Idefics3Processor.DEFAULT_IMAGE_SEQ_LEN, Idefics3Processor.imageSeqLen(tmp));
    }

    @Test
    void adjacentImagesKeepBothFakeTokens() {
        String s = Idefics3Processor.promptString("<image><image>x", new int[]{0, 1}, new int[]{0, 1}, 1);
        assertEquals("<fake_token_around_image><global-img><image><fake_token_around_image>"
                + "<fake_token_around_image><row_1_col_1><image>\n\n<fake_token_around_image><global-img><image>"
                + "<fake_token_around_image>x", s);
    }
}
