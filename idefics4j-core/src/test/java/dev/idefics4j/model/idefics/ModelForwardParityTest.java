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
import java.util.Map;
import java.util.stream.Stream;

import static dev.idefics4j.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Stream.Builder<Arguments> b = Stream.builder();
        for (String model : new String[]{"tiny", "tiny-80b-style", "tiny-noresampler"}) {
            for (String id : ReferenceCase.cases(TestData.reference(model + "/forward.json")).keySet()) {
                b.add(Arguments.of(model, id));
            }
        }
        return b.build();
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
        int tokens = in.tokens();
        int vocab = model.vocabSize();
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
        compareTokens(refDir, tensors, trace, "inputs_embeds", mask, hidden, caseId);
        compareTokens(refDir, tensors, trace, "cross_attention_gate", mask, 1, caseId);
        compareTokens(refDir, tensors, trace, "position_ids", mask, 1, caseId);
        for (int j = 0; j < model.config().numCrossLayers(); j++) {
            compareTokens(refDir, tensors, trace, "gated_xattn_" + j, mask, hidden, caseId);
        }
        for (int i = 0; i < model.config().numHiddenLayers(); i++) {
            compareTokens(refDir, tensors, trace, "decoder_layer_" + i, mask, hidden, caseId);
        }
        compareTokens(refDir, tensors, trace, "last_hidden_state", mask, hidden, caseId);

        // Logits: selected columns, logsumexp over the whole vocabulary, argmax, and the full last row.
        int[] columns = ReferenceCase.intArray(c.get("logit_columns"));
        float[] refColumns = ReferenceCase.floats(refDir, tensors.get("logits_columns"));
        float[] refLse = ReferenceCase.floats(refDir, tensors.get("logits_logsumexp"));
        long[] refArgmax = ReferenceCase.longs(refDir, tensors.get("logits_argmax"));
        double worst = 0;
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < tokens; t++) {
                if (mask[b][t] == 0) {
                    continue;
                }
                int row = (b * tokens + t) * vocab;
                for (int k = 0; k < columns.length; k++) {
                    worst = Math.max(worst, Math.abs(refColumns[(b * tokens + t) * columns.length + k]
                            - logits[row + columns[k]]));
                }
                worst = Math.max(worst, Math.abs(refLse[b * tokens + t] - logSumExp(logits, row, vocab)));
                assertEquals(refArgmax[b * tokens + t], argmax(logits, row, vocab),
                        caseId + " argmax at row " + b + " position " + t);
            }
        }
        assertTrue(worst <= TOL, caseId + " logits max abs diff " + worst);
        if (tensors.has("logits_last")) {
            float[] refLast = ReferenceCase.floats(refDir, tensors.get("logits_last"));
            float[] last = new float[rows * vocab];
            for (int b = 0; b < rows; b++) {
                System.arraycopy(logits, ((b + 1) * tokens - 1) * vocab, last, b * vocab, vocab);
            }
            assertClose(refLast, last, TOL, caseId + " logits_last");
        }
    }

    private static void compareTokens(Path refDir, JsonNode tensors, Map<String, float[]> trace, String name,
                                      int[][] mask, int width, String caseId) {
        float[] ref = ReferenceCase.floats(refDir, tensors.get(name));
        float[] got = trace.get(name);
        assertEquals(ref.length, got.length, caseId + " " + name + " size");
        int tokens = mask[0].length;
        double worst = 0;
        for (int b = 0; b < mask.length; b++) {
            for (int t = 0; t < tokens; t++) {
                if (mask[b][t] == 0) {
                    continue;
                }
                int o = (b * tokens + t) * width;
                for (int i = 0; i < width; i++) {
                    worst = Math.max(worst, Math.abs(ref[o + i] - got[o + i]));
                }
            }
        }
        assertTrue(worst <= TOL, caseId + " " + name + " max abs diff " + worst);
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

    static double logSumExp(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(x[off + i] - max);
        }
        return max + Math.log(s);
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
