package dev.idefics4j.model.idefics3;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.tensor.Bf16Dot;
import dev.idefics4j.tensor.Bf16DotWeight;
import dev.idefics4j.testing.ModelRun;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An Idefics3 / SmolVLM model loaded as {@code bf16-dot} runs its SigLIP tower (linear layers and attention), the
 * connector and the decoder on bf16 operands: the image states and the logits stay within bf16's rounding of the
 * float32 model's (cosine above 0.999, as for v1 in {@code Bf16DotModelTest}).
 */
class Idefics3Bf16DotTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny-idefics3", "tiny-smolvlm"})
    void imageStatesAndLogitsStayWithinBf16RoundingOfFloat32(String modelName) {
        assumeTrue(Bf16Dot.available(), Bf16Dot.unavailableReason());
        ModelInputs in = Idefics3Fixtures.inputs(modelName, "processor.json#two_images");
        Map<String, float[]> exact = new HashMap<>();
        Map<String, float[]> fast = new HashMap<>();
        Idefics3Model reference = Idefics3Fixtures.model(modelName);
        exact.put("logits", reference.forward(in, reference.newCache(in.batchSize(), in.sequenceLength()), false,
                (name, data, shape) -> exact.put(name, data)));
        try (Idefics3Model m = Idefics3Model.load(TestData.model(modelName),
                Checkpoint.LinearLoader.converting(Bf16DotWeight::of), true)) {
            KvCache cache = m.newCache(in.batchSize(), in.sequenceLength());
            fast.put("logits", m.forward(in, cache, false, (name, data, shape) -> fast.put(name, data)));
        }
        for (String name : new String[]{"image_hidden_states", "logits"}) {
            double cosine = ModelRun.cosine(exact.get(name), fast.get(name));
            assertTrue(cosine > 0.999, modelName + " " + name + ": cosine " + cosine);
            assertFalse(java.util.Arrays.equals(exact.get(name), fast.get(name)),
                    modelName + " " + name + ": the bf16 products did not run");
            System.out.printf("%s %s: cosine %.6f%n", modelName, name, cosine);
        }
    }
}
