package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;

import java.nio.file.Path;
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
        Path dir = TestData.reference(MODEL);
        String[] parts = ref.split("#");
        JsonNode c = ReferenceCase.cases(dir.resolve(parts[0])).get(parts[1]);
        if (c == null) {
            throw new IllegalArgumentException("no processor case " + ref + " for " + MODEL);
        }
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
        int[] perRow = new int[real.length];
        for (int b = 0; b < real.length; b++) {
            for (int r : real[b]) {
                perRow[b] += r;
            }
        }
        PixelBatch pixels = new PixelBatch(shape[0], shape[1], shape[3], shape[4],
                ReferenceCase.floats(dir, c.get("pixel_values")), bytes, perRow);
        return new ModelInputs(ids, mask, new Idefics2ImageInputs(pixels), List.of(), List.of());
    }
}
