package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;

import java.nio.file.Path;
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
        String[] at = ref.split("#");
        Path dir = TestData.reference(model);
        JsonNode c = ReferenceCase.cases(dir.resolve(at[0])).get(at[1]);
        int[][] ids = ReferenceCase.intMatrix(c.get("input_ids"));
        int[][] mask = ReferenceCase.intMatrix(c.get("attention_mask"));
        if (!c.has("pixel_values")) {
            return ModelInputs.textOnly(ids, mask);
        }
        int[] shape = ReferenceCase.shape(c.get("pixel_values"));
        long[] pixelMask = ReferenceCase.longs(dir, c.get("pixel_attention_mask"));
        byte[] bytes = new byte[pixelMask.length];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) pixelMask[i];
        }
        int[][] real = ReferenceCase.intMatrix(c.get("real_images"));
        int[] frames = new int[real.length];
        for (int b = 0; b < real.length; b++) {
            for (int r : real[b]) {
                frames[b] += r;
            }
        }
        PixelBatch pixels = new PixelBatch(shape[0], shape[1], shape[3], shape[4],
                ReferenceCase.floats(dir, c.get("pixel_values")), bytes, frames);
        Idefics3ImageInputs images = new Idefics3ImageInputs(pixels, ReferenceCase.intMatrix(c.get("rows")),
                ReferenceCase.intMatrix(c.get("cols")));
        return new ModelInputs(ids, mask, images, List.of(), List.of());
    }
}
