package dev.idefics4j.model.idefics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.testing.ProcessorInputs;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.idefics4j.testing.ForwardComparison.assertLogits;
import static dev.idefics4j.testing.ForwardComparison.assertRealTokensClose;
import static dev.idefics4j.testing.Tolerances.assertClose;

/** Replays every case of {@code reference/<model>/forward.json}: each intermediate tensor within 1e-4. */
class ModelForwardParityTest {
    private static final double TOL = 1e-4;
    private static final Map<String, IdeficsModel> MODELS = new HashMap<>();

    static synchronized IdeficsModel model(String name) {
        return MODELS.computeIfAbsent(name, n -> IdeficsModel.load(TestData.model(n)));
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(IdeficsModel::close);
        MODELS.clear();
    }

    static Stream<Arguments> cases() {
        return ReferenceCase.caseIds(List.of("tiny", "tiny-80b-style", "tiny-noresampler"), "forward.json");
    }

    @ParameterizedTest(name = "{0} forward.json#{1}")
    @MethodSource("cases")
    void forwardMatchesReference(String modelName, String caseId) {
        Path refDir = TestData.reference(modelName);
        JsonNode c = ReferenceCase.cases(refDir.resolve("forward.json")).get(caseId);
        JsonNode tensors = c.get("tensors");
        ProcessorInputs in = ProcessorInputs.load(modelName, c.get("inputs_from").asText());
        IdeficsModel model = model(modelName);
        Map<String, float[]> trace = new HashMap<>();
        ForwardTrace recorder = (name, data, shape) -> trace.put(name, data);

        ImageContext images = model.encodeImages(in.pixelValues(), in.rows(), in.numImages(), null, recorder);
        KvCache cache = model.newCache(in.rows(), in.tokens());
        float[] logits = model.forward(in.inputIds(), in.attentionMask(), in.imageAttentionMask(), images, cache,
                true, recorder);

        int rows = in.rows();
        int[][] mask = in.attentionMask();

        // Vision tower and resampler: every image, padding images included.
        float[] vision = concatRows(trace, "vision_last_hidden_state/", rows);
        assertClose(ReferenceCase.floats(refDir, tensors.get("vision_last_hidden_state")), vision, TOL,
                caseId + " vision_last_hidden_state");
        if (tensors.has("perceiver_output")) {
            assertClose(ReferenceCase.floats(refDir, tensors.get("perceiver_output")),
                    concatRows(trace, "perceiver_output/", rows), TOL, caseId + " perceiver_output");
        }
        float[] imageStates = new float[0];
        for (int b = 0; b < rows; b++) {
            imageStates = concat(imageStates, images.states(b));
        }
        assertClose(ReferenceCase.floats(refDir, tensors.get("image_hidden_states")), imageStates, TOL,
                caseId + " image_hidden_states");

        // Text side: compare non-padded positions only.
        int hidden = model.config().hiddenSize();
        for (String name : new String[]{"inputs_embeds", "cross_attention_gate", "position_ids"}) {
            int width = name.equals("inputs_embeds") ? hidden : 1;
            assertRealTokensClose(refDir, tensors, name, trace.get(name), mask, width, TOL, caseId);
        }
        for (int j = 0; j < model.config().numCrossLayers(); j++) {
            assertRealTokensClose(refDir, tensors, "gated_xattn_" + j, trace.get("gated_xattn_" + j), mask, hidden,
                    TOL, caseId);
        }
        for (int i = 0; i < model.config().numHiddenLayers(); i++) {
            assertRealTokensClose(refDir, tensors, "decoder_layer_" + i, trace.get("decoder_layer_" + i), mask,
                    hidden, TOL, caseId);
        }
        assertRealTokensClose(refDir, tensors, "last_hidden_state", trace.get("last_hidden_state"), mask, hidden,
                TOL, caseId);

        // Logits: selected columns, logsumexp over the whole vocabulary, argmax, and the full last row.
        assertLogits(refDir, tensors, ReferenceCase.intArray(c.get("logit_columns")), logits, model.vocabSize(), mask,
                TOL, caseId);
    }

    private static float[] concatRows(Map<String, float[]> trace, String prefix, int rows) {
        float[] out = new float[0];
        for (int b = 0; b < rows; b++) {
            out = concat(out, trace.get(prefix + b));
        }
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
