package dev.idefics4j.tensor;

import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.tensor.quant.Quantization;
import dev.idefics4j.tensor.quant.QuantizedLoading;
import dev.idefics4j.testing.ModelRun;
import dev.idefics4j.testing.ProcessorInputs;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A model loaded as {@code bf16-dot} runs every linear product on bf16 activations: its logits move by
 * about bf16's rounding from the exact ones, no more.
 */
class Bf16DotModelTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-80b-style", "tiny-noresampler"})
    void logitsStayWithinBf16RoundingOfTheExactModel(String model) {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        ProcessorInputs prompt = ProcessorInputs.load(model, "processor.json#text_image_text");
        ModelRun.Decoded exact;
        try (IdeficsModel m = IdeficsModel.load(TestData.model(model))) {
            exact = ModelRun.decode(m, prompt, 4, null);
        }
        ModelRun.Decoded fast;
        try (IdeficsModel m = IdeficsModel.load(TestData.model(model), WeightFormats.named(Bf16DotWeight.FORMAT))) {
            fast = ModelRun.decode(m, prompt, 4, exact.argmax());
        }
        double cosine = ModelRun.cosine(exact.firstLogits(), fast.firstLogits());
        assertTrue(cosine > 0.999, model + ": cosine " + cosine);
        assertFalse(java.util.Arrays.equals(exact.firstLogits(), fast.firstLogits()),
                model + ": the bf16 products did not run");
        System.out.printf("%s: cosine %.6f%n", model, cosine);
    }

    /** Quantized and bf16 dot products: the logits stay within bf16 rounding of the quantized model's. */
    @ParameterizedTest
    @ValueSource(strings = {"nf4", "int8"})
    void quantizedModelsTakeBf16DotProductsToo(String format) {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        ProcessorInputs prompt = ProcessorInputs.load("tiny", "processor.json#text_image_text");
        Quantization q = Quantization.parse(format);
        float[] quantized;
        try (IdeficsModel m = IdeficsModel.load(TestData.model("tiny"),
                QuantizedLoading.linears(TestData.model("tiny"), q))) {
            quantized = ModelRun.lastLogits(m, prompt);
        }
        float[] fast;
        try (IdeficsModel m = IdeficsModel.load(TestData.model("tiny"),
                QuantizedLoading.linears(TestData.model("tiny"), q, Bf16DotWeight::wrap))) {
            fast = ModelRun.lastLogits(m, prompt);
        }
        double cosine = ModelRun.cosine(quantized, fast);
        assertTrue(cosine > 0.999, format + ": cosine " + cosine);
        assertFalse(java.util.Arrays.equals(quantized, fast), format + ": the bf16 products did not run");
    }
}
