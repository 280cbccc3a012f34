package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.ForwardComparison;
import dev.idefics4j.testing.ModelRun;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static dev.idefics4j.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole model on every case of {@code reference/tiny-idefics2/forward.json}, from the inputs of the processor
 * case it names: {@code image_hidden_states}, {@code merged_inputs_embeds}, every {@code decoder_layer_<i>},
 * {@code last_hidden_state}, {@code logits_columns}, {@code logits_logsumexp} and {@code logits_last} within 1e-4,
 * {@code logits_argmax} exact. Text positions are compared where the attention mask is 1 (the model runs the
 * positions generate gives, cumsum(attention_mask) − 1; the reference's plain forward counts padding too, which
 * rotary embeddings, being relative, do not see).
 */
class Idefics2ForwardParityTest {
    private static final double TOL = 1e-4;
    private static final Path REF = TestData.reference(Idefics2Reference.MODEL);

    static Set<String> cases() {
        return ReferenceCase.cases(REF.resolve("forward.json")).keySet();
    }

    @ParameterizedTest(name = "tiny-idefics2 forward.json#{0}")
    @MethodSource("cases")
    void forwardMatchesReference(String caseId) {
        JsonNode c = ReferenceCase.cases(REF.resolve("forward.json")).get(caseId);
        JsonNode tensors = c.get("tensors");
        ModelInputs in = Idefics2Reference.inputs(c.get("inputs_from").asText());
        Idefics2Model model = Idefics2Reference.model();
        Map<String, float[]> trace = new HashMap<>();
        ForwardTrace recorder = (name, data, shape) -> trace.put(name, data);

        float[] images = in.images() == null ? null
                : model.encodeImages(((Idefics2ImageInputs) in.images()).pixels(), recorder);
        KvCache cache = model.newCache(in.batchSize(), in.sequenceLength());
        float[] logits = model.forward(in.inputIds(), in.attentionMask(), images, cache, true, recorder);

        assertEquals(tensors.has("image_hidden_states"), images != null, caseId + " images");
        if (images != null) {
            assertClose(ReferenceCase.floats(REF, tensors.get("image_hidden_states")), images, TOL,
                    caseId + " image_hidden_states");
        }
        int hidden = model.config().textConfig().hiddenSize();
        int[][] mask = in.attentionMask();
        int compared = 0;
        for (String name : trace.keySet()) {
            if (name.equals("merged_inputs_embeds") || name.startsWith("decoder_layer_")
                    || name.equals("last_hidden_state")) {
                if (tensors.has(name)) {
                    ForwardComparison.assertRealTokensClose(REF, tensors, name, trace.get(name), mask, hidden, TOL,
                            caseId);
                    compared++;
                }
            }
        }
        int layers = model.config().textConfig().numHiddenLayers();
        assertEquals(tensors.has("merged_inputs_embeds") ? layers + 2 : 1, compared, caseId + " tensors compared");
        int[] columns = ReferenceCase.intArray(ReferenceCase.json(REF.resolve("forward.json")).get("logit_columns"));
        ForwardComparison.assertLogits(REF, tensors, columns, logits, model.vocabSize(), mask, TOL, caseId);
        int vocab = model.vocabSize();
        int tokens = in.sequenceLength();
        for (int b = 0; b < in.batchSize(); b++) {
            assertEquals(c.get("argmax_last").get(b).asInt(), ModelRun.argmax(logits, ((b + 1) * tokens - 1) * vocab,
                    vocab), caseId + " argmax_last of row " + b);
        }
    }
}
