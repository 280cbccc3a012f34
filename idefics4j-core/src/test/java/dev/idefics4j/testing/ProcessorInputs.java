package dev.idefics4j.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/** The model inputs of one {@code processor.json} case, as the reference processor produced them. */
public record ProcessorInputs(int[][] inputIds, int[][] attentionMask, int[][][] imageAttentionMask,
                              float[] pixelValues, int numImages) {

    public int rows() {
        return inputIds.length;
    }

    public int tokens() {
        return inputIds[0].length;
    }

    /** {@code ref} is like {@code "processor.json#text_image_text"}, relative to the model's reference folder. */
    public static ProcessorInputs load(String model, String ref) {
        Path dir = TestData.reference(model);
        JsonNode c = ReferenceCase.processorCase(model, ref);
        JsonNode pv = c.get("pixel_values");
        return new ProcessorInputs(
                ReferenceCase.intMatrix(c.get("input_ids")),
                ReferenceCase.intMatrix(c.get("attention_mask")),
                ReferenceCase.intCube(c.get("image_attention_mask")),
                ReferenceCase.floats(dir, pv),
                ReferenceCase.shape(pv)[1]);
    }
}
