package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.Completion;
import dev.idefics4j.Idefics;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.RandomCheckpoint;
import dev.idefics4j.checkpoint.WeightLayout;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.ModelFamily;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.quant.Quantization;
import dev.idefics4j.tensor.quant.QuantizedLoading;
import dev.idefics4j.testing.ModelRun;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Idefics2 through the registry: loading (quantized too), its processor, and random checkpoints of its layout. */
class Idefics2FamilyTest {
    private static final Path TINY = TestData.model(Idefics2Reference.MODEL);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theRegistryFindsIdefics2() {
        ModelFamily family = ModelFamilies.of(TINY);
        assertInstanceOf(Idefics2Family.class, family);
        try (VisionLanguageModel model = family.load(TINY, (c, name, shape) -> c.weight(name, shape), true)) {
            assertEquals(32003, model.vocabSize());
            assertEquals(4096, model.maxPositionEmbeddings());
            assertEquals("idefics2", model.describe().get("model_type"));
            assertEquals(8, model.describe().get("image_seq_len"));
            assertTrue(((Idefics2Model) model).bf16KvCache());
        }
        assertInstanceOf(Idefics2Processor.class, family.processor(TINY, null, new ImageLoader()));
        assertTrue(family.publishedConfigNames().isEmpty());
    }

    /** The layout random checkpoints are written from names and shapes every tensor as the checkpoint does. */
    @Test
    void weightLayoutIsTheCheckpoints() {
        List<WeightLayout.Entry> layout = Idefics2WeightLayout.of(
                Idefics2Config.load(TINY.resolve("config.json")));
        try (Checkpoint ckpt = Checkpoint.open(TINY)) {
            assertEquals(ckpt.tensorNames().size(), layout.size());
            for (WeightLayout.Entry e : layout) {
                assertArrayEquals(e.shape(), ckpt.info(e.name()).shape(), e.name());
            }
        }
    }

    /** A random checkpoint of the tiny config cut to one layer each loads through the facade and generates. */
    @Test
    void randomCheckpointLoadsAndGenerates(@TempDir Path dir) throws Exception {
        ModelFamily family = new Idefics2Family();
        ObjectNode config = family.withLayers((ObjectNode) JSON.readTree(TINY.resolve("config.json").toFile()), 1, 1);
        RandomCheckpoint.Contents contents = family.randomCheckpoint(config);
        RandomCheckpoint.write(config, contents, DType.BF16, dir, TINY, 7, Long.MAX_VALUE);
        try (Idefics idefics = Idefics.load(dir)) {
            assertEquals(1, idefics.model().describe().get("num_hidden_layers"));
            assertEquals(32003, contents.vocabSize());
            List<PromptItem> prompt = List.of(PromptItem.text("User:"),
                    PromptItem.image(ImageSource.file(TestData.fixture("images/cat_rgb_97x61.jpg"))),
                    PromptItem.text("Describe this image.<end_of_utterance>\nAssistant:"));
            ModelInputs in = idefics.encode(List.of(prompt), ProcessorOptions.DEFAULTS);
            // Longest edge = image_size (32), shortest 32·378/980 = 12: the 97x61 cat becomes 32x20.
            assertEquals(List.of(1, 1, 3, 20, 32), in.images().view().get("pixel_values_shape"));
            Completion c = idefics.generate(List.of(prompt), ProcessorOptions.DEFAULTS,
                    idefics.checkpointGenerationConfig().withOverrides(Map.of("max_new_tokens", 3,
                            "min_new_tokens", 3))).get(0);
            assertEquals(3, c.newIds().length);
        }
    }

    /** Without text_config, the layers go into Idefics2Config's default text model, not a bare Mistral's. */
    @Test
    void withLayersKeepsTheDefaultTextModel() throws Exception {
        ObjectNode cut = new Idefics2Family().withLayers(JSON.createObjectNode().put("model_type", "idefics2"), 2, 3);
        Idefics2Config c = Idefics2Config.parse("cut", cut);
        assertEquals(2, c.textConfig().numHiddenLayers());
        assertEquals(32768, c.textConfig().maxPositionEmbeddings());
        assertEquals(3, c.visionConfig().numHiddenLayers());
    }

    /** Linear layers quantize while loading; a saved quantized checkpoint reloads to the same logits. */
    @Test
    void loadsQuantizedAndSavesQuantized(@TempDir Path dir) {
        ModelInputs in = Idefics2Reference.inputs("processor.json#one_image");
        float[] plain = lastLogits(Idefics2Reference.model(), in);
        float[] direct;
        try (Idefics2Model m = Idefics2Model.load(TINY, QuantizedLoading.linears(TINY, Quantization.INT8))) {
            direct = lastLogits(m, in);
        }
        assertFalse(Arrays.equals(plain, direct), "the weights were not quantized");
        assertTrue(ModelRun.cosine(plain, direct) > 0.9, "cosine " + ModelRun.cosine(plain, direct));
        QuantizedLoading.save(TINY, dir, Quantization.INT8);
        try (Idefics2Model m = Idefics2Model.load(dir, QuantizedLoading.linears(dir, Quantization.NONE))) {
            assertArrayEquals(direct, lastLogits(m, in));
        }
    }

    private static float[] lastLogits(Idefics2Model model, ModelInputs in) {
        return model.prefill(in, in.sequenceLength()).logits();
    }
}
