package dev.idefics4j.tensor.quant;

import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.tensor.HugePages;
import dev.idefics4j.tensor.Weight;
import dev.idefics4j.tensor.WeightFormat;
import dev.idefics4j.tensor.WeightFormats;
import dev.idefics4j.testing.ModelRun;
import dev.idefics4j.testing.ProcessorInputs;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quantized formats are registered services, and loading through one is quantizing while loading. */
class QuantizedFormatTest {
    private static final List<String> REGISTERED = List.of("fp4", "nf4", "nf4-dq", "int8");

    static Stream<Arguments> modelsAndFormats() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String m : new String[]{"tiny", "tiny-80b-style", "tiny-noresampler"}) {
            for (String f : REGISTERED) {
                b.add(Arguments.of(m, f));
            }
        }
        return b.build();
    }

    @Test
    void availableListsTheQuantizedFormatsAfterThePlainOnes() {
        List<String> names = WeightFormats.available().stream().map(WeightFormat::name).toList();
        assertEquals(List.of("bf16", "f16", "f32", WeightFormats.RESIDENT), names.subList(0, 4));
        assertTrue(names.containsAll(REGISTERED), names.toString());
        for (String name : REGISTERED) {
            QuantizedFormat f = assertInstanceOf(QuantizedFormat.class, WeightFormats.named(name));
            assertEquals(Quantization.parse(name), f.quantization(), name);
            assertEquals(name, f.quantization().formatName());
        }
        assertEquals(Quantization.NF4.withDoubleQuant(true), Quantization.parse("NF4-DQ"));
        assertEquals(Quantization.FP4.withDoubleQuant(true).withBlocksize(128), Quantization.parse("fp4-dq-b128"));
        assertEquals("fp4-dq-b128", Quantization.parse("fp4-dq-b128").formatName());
        assertThrows(IllegalArgumentException.class, () -> Quantization.parse("int8-dq"));
        assertThrows(IllegalArgumentException.class, () -> Quantization.parse("none-dq"));
        assertThrows(IllegalArgumentException.class, () -> new QuantizedFormat(Quantization.NONE));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndFormats")
    void loadingThroughTheFormatIsQuantizingWhileLoading(String model, String format) {
        ProcessorInputs prompt = ProcessorInputs.load(model, "processor.json#text_image_text");
        float[] expected;
        try (IdeficsModel m = IdeficsModel.load(TestData.model(model),
                QuantizedLoading.linears(TestData.model(model), Quantization.parse(format)))) {
            expected = ModelRun.lastLogits(m, prompt);
        }
        try (IdeficsModel m = IdeficsModel.load(TestData.model(model), WeightFormats.named(format))) {
            assertArrayEquals(expected, ModelRun.lastLogits(m, prompt));
        }
    }

    /**
     * Converting formats release the stored tensors' mapped pages as they load; the weights that stay mapped (the
     * lm head, embeddings, norms), some sharing a page with a released tensor, must read as before.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-80b-style", "tiny-noresampler"})
    void residentCopiesGiveTheMappedModelsLogits(String model) {
        ProcessorInputs prompt = ProcessorInputs.load(model, "processor.json#text_image_text");
        float[] mapped;
        try (IdeficsModel m = IdeficsModel.load(TestData.model(model))) {
            mapped = ModelRun.lastLogits(m, prompt);
        }
        // As bf16-resident, in the stored dtype (the fixtures are bf16 or f32).
        WeightFormat copy = WeightFormat.of("copy", w -> new Weight(w.name(), w.dtype(), w.rows(), w.cols(),
                HugePages.copyOf(w.data())));
        try (IdeficsModel m = IdeficsModel.load(TestData.model(model), copy)) {
            assertArrayEquals(mapped, ModelRun.lastLogits(m, prompt));
            assertArrayEquals(mapped, ModelRun.lastLogits(m, prompt));
        }
    }
}
