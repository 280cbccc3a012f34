package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;

import java.util.List;

/** tiny-idefics2 and the inputs its reference processor made, as the forward and generate parity tests replay them. */
final class Idefics2Reference {
    static final String MODEL = "tiny-idefics2";
    private static Idefics2Model model;

    private Idefics2Reference() {
    }

    /** The checkpoint, loaded once per test JVM (weights memory-mapped until the JVM exits). */
    static synchronized Idefics2Model model() {
        if (model == null) {
            model = Idefics2Model.load(TestData.model(MODEL), (c, name, shape) -> c.weight(name, shape));
        }
        return model;
    }

    /**
     * The processor case {@code ref} ({@code "processor.json#one_image"}) as model inputs: its input_ids,
     * attention_mask, pixel_values, pixel_attention_mask and real_images exactly as the reference returned them.
     */
    static ModelInputs inputs(String ref) {
        JsonNode c = ReferenceCase.processorCase(MODEL, ref);
        int[][] ids = ReferenceCase.intMatrix(c.get("input_ids"));
        int[][] mask = ReferenceCase.intMatrix(c.get("attention_mask"));
        if (!c.has("pixel_values")) {
            return ModelInputs.textOnly(ids, mask);
        }
        PixelBatch pixels = ReferenceCase.pixelBatch(TestData.reference(MODEL), c);
        return new ModelInputs(ids, mask, new Idefics2ImageInputs(pixels), List.of(), List.of());
    }
}
