package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Idefics3 / SmolVLM tiny checkpoints and their reference inputs, loaded once per JVM. */
final class Idefics3Fixtures {
    static final List<String> MODELS = List.of("tiny-idefics3", "tiny-smolvlm");
    private static final Map<String, Idefics3Model> LOADED = new HashMap<>();

    private Idefics3Fixtures() {
    }

    /** Shared for the whole test run (memory-mapped weights; closed when the JVM exits). */
    static synchronized Idefics3Model model(String name) {
        return LOADED.computeIfAbsent(name, n -> Idefics3Model.load(TestData.model(n)));
    }

    /**
     * A reference processor case ({@code "processor.json#one_image"}) as model inputs: the reference's own tensors
     * (ids, masks, pixel values), not this project's processor output.
     */
    static ModelInputs inputs(String model, String ref) {
        JsonNode c = ReferenceCase.processorCase(model, ref);
        int[][] ids = ReferenceCase.intMatrix(c.get("input_ids"));
        int[][] mask = ReferenceCase.intMatrix(c.get("attention_mask"));
        if (!c.has("pixel_values")) {
            return ModelInputs.textOnly(ids, mask);
        }
        PixelBatch pixels = ReferenceCase.pixelBatch(TestData.reference(model), c);
        Idefics3ImageInputs images = new Idefics3ImageInputs(pixels, ReferenceCase.intMatrix(c.get("rows")),
                ReferenceCase.intMatrix(c.get("cols")));
        return new ModelInputs(ids, mask, images, List.of(), List.of());
    }
}
