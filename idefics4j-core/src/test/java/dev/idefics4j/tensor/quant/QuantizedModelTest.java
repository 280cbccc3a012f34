package dev.idefics4j.tensor.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.SafeTensorsFile;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.testing.ModelRun;
import dev.idefics4j.testing.ProcessorInputs;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixture models load quantized, run, and a saved quantized checkpoint reloads to the very same logits. */
class QuantizedModelTest {
    private static final String[] MODELS = {"tiny", "tiny-80b-style", "tiny-noresampler"};
    private static final Quantization[] SETTINGS = {
            Quantization.FP4, Quantization.NF4, Quantization.NF4.withDoubleQuant(true), Quantization.INT8};

    static Stream<Arguments> modelsAndSettings() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String m : MODELS) {
            for (Quantization q : SETTINGS) {
                b.add(Arguments.of(m, q));
            }
        }
        return b.build();
    }

    private static ProcessorInputs prompt(String model) {
        return ProcessorInputs.load(model, "processor.json#text_image_text");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndSettings")
    void loadsQuantizedAndGivesFiniteLogits(String model, Quantization q) {
        float[] plain;
        try (IdeficsModel m = IdeficsModel.load(TestData.model(model))) {
            plain = ModelRun.lastLogits(m, prompt(model));
        }
        try (IdeficsModel m = IdeficsModel.load(TestData.model(model),
                QuantizedLoading.linears(TestData.model(model), q))) {
            float[] logits = ModelRun.lastLogits(m, prompt(model));
            assertEquals(plain.length, logits.length);
            for (float v : logits) {
                assertTrue(Float.isFinite(v), q + " gave a non-finite logit");
            }
            assertFalse(java.util.Arrays.equals(plain, logits), "the weights were not quantized");
            // Random tiny weights are harsh on 4-bit codes, yet the logits keep their direction.
            assertTrue(ModelRun.cosine(plain, logits) > 0.5, q + " cosine " + ModelRun.cosine(plain, logits));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndSettings")
    void saveThenReloadGivesIdenticalLogits(String model, Quantization q, @TempDir Path dir) throws IOException {
        float[] direct;
        try (IdeficsModel m = IdeficsModel.load(TestData.model(model),
                QuantizedLoading.linears(TestData.model(model), q))) {
            direct = ModelRun.lastLogits(m, prompt(model));
        }
        Path out = dir.resolve("quantized");
        QuantizedLoading.save(TestData.model(model), out, q);
        assertEquals(q, QuantizedLoading.stored(out));
        try (IdeficsModel m = IdeficsModel.load(out, QuantizedLoading.linears(out, Quantization.NONE))) {
            assertArrayEquals(direct, ModelRun.lastLogits(m, prompt(model)));
        }
        try (IdeficsModel m = IdeficsModel.load(out, QuantizedLoading.linears(out, q))) {
            assertArrayEquals(direct, ModelRun.lastLogits(m, prompt(model)));
        }
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")), "tokenizer files are copied");
    }

    @Test
    void savedCheckpointUsesBitsandbytesNames(@TempDir Path dir) throws IOException {
        Path fp4 = dir.resolve("fp4");
        QuantizedLoading.save(TestData.model("tiny"), fp4, Quantization.NF4.withDoubleQuant(true));
        try (SafeTensorsFile f = SafeTensorsFile.open(fp4.resolve("model.safetensors"))) {
            String w = "model.layers.0.mlp.down_proj.weight";
            assertEquals(DType.U8, f.info(w).dtype());
            assertArrayEquals(new long[]{32 * 64 / 2, 1}, f.info(w).shape());
            assertEquals(DType.U8, f.info(w + ".absmax").dtype());
            assertEquals(DType.F32, f.info(w + ".nested_absmax").dtype());
            assertArrayEquals(new long[]{256}, f.info(w + ".nested_quant_map").shape());
            assertArrayEquals(new long[]{16}, f.info(w + ".quant_map").shape());
            JsonNode state = new ObjectMapper().readTree(f.readBytes(w + ".quant_state.bitsandbytes__nf4"));
            assertEquals("nf4", state.get("quant_type").asText());
            assertEquals(64, state.get("blocksize").asInt());
            assertEquals(256, state.get("nested_blocksize").asInt());
            assertEquals("[32,64]", state.get("shape").toString());
            // The lm head, embeddings and norms stay as stored.
            assertEquals(DType.BF16, f.info("lm_head.weight").dtype());
            assertEquals(DType.BF16, f.info("lm_head.additional_fc.weight").dtype());
            assertEquals(DType.BF16, f.info("model.embed_tokens.weight").dtype());
        }
        JsonNode config = new ObjectMapper().readTree(fp4.resolve("config.json").toFile()).get("quantization_config");
        assertEquals("bitsandbytes", config.get("quant_method").asText());
        assertTrue(config.get("load_in_4bit").asBoolean());
        assertEquals("nf4", config.get("bnb_4bit_quant_type").asText());
        assertTrue(config.get("bnb_4bit_use_double_quant").asBoolean());

        Path int8 = dir.resolve("int8");
        QuantizedLoading.save(TestData.model("tiny"), int8, Quantization.INT8);
        try (SafeTensorsFile f = SafeTensorsFile.open(int8.resolve("model.safetensors"))) {
            assertEquals(DType.I8, f.info("model.layers.0.self_attn.q_proj.weight").dtype());
            assertArrayEquals(new long[]{32}, f.info("model.layers.0.self_attn.q_proj.SCB").shape());
            assertArrayEquals(new long[0], f.info("model.layers.0.self_attn.q_proj.weight_format").shape());
        }
    }

    @Test
    void loadedBytesCountTheWeightsAsLoaded(@TempDir Path dir) {
        Path tiny = TestData.model("tiny");
        long quantizedWhileLoading;
        try (IdeficsModel plain = IdeficsModel.load(tiny);
             IdeficsModel nf4 = IdeficsModel.load(tiny, QuantizedLoading.linears(tiny, Quantization.NF4))) {
            assertEquals(plain.checkpoint().totalBytes(), plain.checkpoint().loadedBytes());
            assertEquals(plain.checkpoint().totalBytes(), nf4.checkpoint().totalBytes());
            quantizedWhileLoading = nf4.checkpoint().loadedBytes();
            assertTrue(quantizedWhileLoading < plain.checkpoint().totalBytes());
        }
        Path out = dir.resolve("nf4");
        QuantizedLoading.save(tiny, out, Quantization.NF4);
        try (IdeficsModel saved = IdeficsModel.load(out, QuantizedLoading.linears(out, Quantization.NONE))) {
            assertEquals(quantizedWhileLoading, saved.checkpoint().loadedBytes());
        }
    }

    @Test
    void aQuantizedCheckpointIsNotQuantizedAgain(@TempDir Path dir) {
        Path out = dir.resolve("q");
        QuantizedLoading.save(TestData.model("tiny"), out, Quantization.FP4);
        assertThrows(CheckpointException.class, () -> IdeficsModel.load(out,
                QuantizedLoading.linears(out, Quantization.INT8)));
        assertThrows(CheckpointException.class,
                () -> QuantizedLoading.save(out, dir.resolve("again"), Quantization.NF4));
        assertThrows(IllegalArgumentException.class,
                () -> QuantizedLoading.save(TestData.model("tiny"), TestData.model("tiny"), Quantization.NF4));
    }

    @Test
    void parsesTheCliNames() {
        assertEquals(Quantization.FP4, Quantization.parse("fp4"));
        assertEquals(Quantization.NF4, Quantization.parse("NF4"));
        assertEquals(Quantization.INT8, Quantization.parse("int8"));
        assertEquals(Quantization.NONE, Quantization.parse("none"));
        assertThrows(IllegalArgumentException.class, () -> Quantization.parse("int4"));
        assertThrows(IllegalArgumentException.class, () -> Quantization.INT8.withDoubleQuant(true));
        assertEquals(Quantization.NF4.withDoubleQuant(true),
                Quantization.fromConfig(Quantization.NF4.withDoubleQuant(true).toConfig()));
    }
}
