package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static dev.idefics4j.testing.ForwardComparison.assertLogits;
import static dev.idefics4j.testing.ForwardComparison.assertRealTokensClose;
import static dev.idefics4j.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Idefics3Model end to end against every case of {@code reference/tiny-idefics3} and {@code tiny-smolvlm}'s
 * forward.json, from the inputs of the processor case each names: {@code image_hidden_states} (every real frame of
 * the batch), {@code merged_inputs_embeds} (the image states in place of the {@code <image>} rows), every decoder
 * layer, {@code last_hidden_state}, {@code logits_columns}, {@code logits_logsumexp} and {@code logits_last} within
 * 1e-4 and {@code logits_argmax} exact, at the real tokens. The reference's plain forward gives every row positions
 * 0…L−1 and this model generation's {@code cumsum(attention_mask) − 1}: the same for unpadded rows, and the same up to
 * rounding for the real tokens of left-padded ones (rotary embeddings are relative).
 */
class Idefics3ForwardParityTest {
    private static final double TOL = 1e-4;

    static Stream<Arguments> cases() {
        return ReferenceCase.caseIds(Idefics3Fixtures.MODELS, "forward.json");
    }

    @ParameterizedTest(name = "{0} forward.json#{1}")
    @MethodSource("cases")
    void forwardMatchesReference(String modelName, String caseId) {
        Path refDir = TestData.reference(modelName);
        JsonNode forward = ReferenceCase.json(refDir.resolve("forward.json"));
        JsonNode c = ReferenceCase.cases(refDir.resolve("forward.json")).get(caseId);
        JsonNode tensors = c.get("tensors");
        ModelInputs in = Idefics3Fixtures.inputs(modelName, c.get("inputs_from").asText());
        Idefics3Model model = Idefics3Fixtures.model(modelName);
        Map<String, float[]> trace = new HashMap<>();
        KvCache cache = model.newCache(in.batchSize(), in.sequenceLength());

        float[] logits = model.forward(in, cache, true, (name, data, shape) -> trace.put(name, data));

        String where = modelName + " " + caseId;
        int hidden = model.config().textConfig().hiddenSize();
        int[][] mask = in.attentionMask();
        assertEquals(in.sequenceLength(), cache.length(), where + " cached positions");
        if (tensors.has("image_hidden_states")) {
            assertClose(ReferenceCase.floats(refDir, tensors.get("image_hidden_states")),
                    trace.get("image_hidden_states"), TOL, where + " image_hidden_states");
        }
        for (String name : tensors.properties().stream().map(Map.Entry::getKey).toList()) {
            if (name.equals("merged_inputs_embeds") || name.startsWith("decoder_layer_")
                    || name.equals("last_hidden_state")) {
                assertRealTokensClose(refDir, tensors, name, trace.get(name), mask, hidden, TOL, where);
            }
        }
        assertLogits(refDir, tensors, ReferenceCase.intArray(forward.get("logit_columns")), logits,
                model.vocabSize(), mask, TOL, where);
    }
}
