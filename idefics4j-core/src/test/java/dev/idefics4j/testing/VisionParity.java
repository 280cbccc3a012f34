package dev.idefics4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.model.SiglipVisionTransformer;
import dev.idefics4j.model.VisionBatch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One case of {@code reference/<model>/forward.json} (Idefics2, Idefics3, SmolVLM) replayed through the SigLIP tower
 * and a connector: the processor inputs it names, the tensors the code under test traces, and comparisons with the
 * reference's (masks and position ids exact, states within {@link #TOL}).
 */
public final class VisionParity {
    public static final double TOL = 1e-4;

    private final Path refDir;
    private final JsonNode input;
    private final JsonNode tensors;
    private final String caseId;
    private final Map<String, float[]> traced = new ConcurrentHashMap<>();

    private VisionParity(String model, String caseId) {
        this.refDir = TestData.reference(model);
        this.caseId = model + " forward.json#" + caseId;
        JsonNode c = ReferenceCase.cases(refDir.resolve("forward.json")).get(caseId);
        tensors = c.get("tensors");
        String[] from = c.get("inputs_from").asText().split("#");
        input = ReferenceCase.cases(refDir.resolve(from[0])).get(from[1]);
    }

    public static VisionParity of(String model, String caseId) {
        return new VisionParity(model, caseId);
    }

    /** The cases of {@code model}'s forward.json that ran images through the vision tower. */
    public static List<String> imageCases(String model) {
        List<String> out = new ArrayList<>();
        ReferenceCase.cases(TestData.reference(model + "/forward.json")).forEach((id, c) -> {
            if (c.get("tensors").has("image_hidden_states")) {
                out.add(id);
            }
        });
        return out;
    }

    /** The case's {@code pixel_values} and {@code pixel_attention_mask} as the model selects and patches them. */
    public VisionBatch batch(int patchSize, VisionBatch.PatchRule rule) {
        JsonNode pv = input.get("pixel_values");
        int[] shape = ReferenceCase.shape(pv);
        long[] mask = ReferenceCase.longs(refDir, input.get("pixel_attention_mask"));
        boolean[] pixelMask = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            pixelMask[i] = mask[i] != 0;
        }
        return VisionBatch.of(ReferenceCase.floats(refDir, pv), pixelMask, shape[0] * shape[1], shape[2], shape[3],
                shape[4], patchSize, rule);
    }

    public ForwardTrace trace() {
        return (name, data, shape) -> traced.put(name, data);
    }

    public boolean has(String name) {
        return tensors.has(name);
    }

    /**
     * Runs {@code tower} on {@code batch} and checks what the reference recorded of it: the real images' count, patch
     * mask and NaViT position ids exactly, the traced {@code vision_*} states within {@link #TOL}. Returns the tower's
     * output.
     */
    public float[] checkTower(SiglipVisionTransformer tower, VisionBatch batch) {
        int[] maskShape = ReferenceCase.shape(tensors.get("patch_attention_mask"));
        assertEquals(maskShape[0], batch.count(), caseId + " real images");
        assertArrayEquals(new int[]{maskShape[1], maskShape[2]}, new int[]{batch.patchRows(), batch.patchCols()},
                caseId + " patch grid");
        long[] refMask = ReferenceCase.longs(refDir, tensors.get("patch_attention_mask"));
        boolean[] mask = batch.patchMask();
        for (int i = 0; i < refMask.length; i++) {
            assertEquals(refMask[i] != 0, mask[i], caseId + " patch_attention_mask at " + i);
        }
        long[] refIds = ReferenceCase.longs(refDir, tensors.get("vision_position_ids"));
        int patches = batch.patches();
        for (int i = 0; i < batch.count(); i++) {
            int[] ids = tower.positionIds(batch, i);
            for (int t = 0; t < patches; t++) {
                assertEquals(refIds[i * patches + t], ids[t], caseId + " vision_position_ids of image " + i
                        + " at patch " + t);
            }
        }
        float[] out = tower.forward(batch, trace());
        for (String name : traced.keySet()) {
            if (name.startsWith("vision_")) {
                assertTraced(name);
            }
        }
        return out;
    }

    /** Compares a traced tensor with the reference's, when the case recorded it; returns whether it did. */
    public boolean assertTraced(String name) {
        if (!has(name)) {
            return false;
        }
        float[] got = traced.get(name);
        assertTrue(got != null, caseId + ": " + name + " was not traced");
        assertClose(name, got);
        return true;
    }

    /** {@code actual} against the reference tensor {@code name}, max abs diff within {@link #TOL}. */
    public void assertClose(String name, float[] actual) {
        Tolerances.assertClose(ReferenceCase.floats(refDir, tensors.get(name)), actual, TOL, caseId + " " + name);
    }
}
