package dev.idefics4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.WeightLayout;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static dev.idefics4j.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared LLaMA decoder on the text models of tiny-idefics3 (grouped-query attention, head_dim, θ 500000 with
 * llama3 scaling), tiny-smolvlm (tied embeddings) and tiny-idefics2 (Mistral): from each forward case's decoder input
 * ({@code merged_inputs_embeds}) every layer's output, the normed last hidden state and the logits match the
 * reference within 1e-4 (the logits through LmHead, tied to the embedding for tiny-smolvlm); decoding the last tokens
 * one at a time against the cache gives the same states; TokenEmbedding of a text-only prompt is its decoder input.
 */
class LlamaDecoderParityTest {
    private static final double TOL = 1e-4;
    private static final Map<String, Checkpoint> OPEN = new HashMap<>();

    private static synchronized Checkpoint checkpoint(String model) {
        return OPEN.computeIfAbsent(model, m -> Checkpoint.open(TestData.model(m)));
    }

    @AfterAll
    static void close() {
        OPEN.values().forEach(Checkpoint::close);
        OPEN.clear();
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String model : new String[]{"tiny-idefics3", "tiny-smolvlm", "tiny-idefics2"}) {
            ReferenceCase.cases(TestData.reference(model + "/forward.json")).forEach((id, c) -> {
                if (c.get("tensors").has("merged_inputs_embeds")) {
                    b.add(Arguments.of(model, id));
                }
            });
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} forward.json#{1}")
    @MethodSource("cases")
    void decoderMatchesReference(String model, String caseId) {
        Path refDir = TestData.reference(model);
        JsonNode tensors = ReferenceCase.cases(refDir.resolve("forward.json")).get(caseId).get("tensors");
        LlamaConfig config = RotaryEmbeddingTest.textConfig(model);
        Checkpoint ckpt = checkpoint(model);
        LlamaDecoder decoder = new LlamaDecoder(config, ckpt, "model.text_model.");
        int hidden = config.hiddenSize();
        float[] embeds = ReferenceCase.floats(refDir, tensors.get("merged_inputs_embeds"));
        int tokens = embeds.length / hidden;
        int[][] positions = {toInts(ReferenceCase.floats(refDir, tensors.get("text_position_ids")))};
        assertEquals(tokens, positions[0].length);

        Map<String, float[]> trace = new HashMap<>();
        KvCache cache = decoder.newCache(1, tokens, false);
        boolean[][] valid = {allTrue(tokens)};
        float[] normed = decoder.forward(embeds.clone(), new DecoderBatch(tokens, new KvCache[]{cache}, new int[1],
                positions, valid), null, (name, data, shape) -> trace.put(name, data));
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            assertClose(ReferenceCase.floats(refDir, tensors.get("decoder_layer_" + i)), trace.get("decoder_layer_" + i),
                    TOL, caseId + " decoder_layer_" + i);
        }
        assertClose(ReferenceCase.floats(refDir, tensors.get("last_hidden_state")), normed, TOL,
                caseId + " last_hidden_state");
        assertEquals(tokens, cache.length());

        TokenEmbedding embedding = TokenEmbedding.load(config, ckpt, "model.text_model.embed_tokens.weight");
        if (caseId.equals("text_only")) {
            // Nothing replaced: the decoder input is the embedding of the ids.
            JsonNode ids = ReferenceCase.cases(refDir.resolve("processor.json")).get(caseId).get("input_ids").get(0);
            float[] embedded = new float[tokens * hidden];
            for (int t = 0; t < tokens; t++) {
                embedding.lookup(ids.get(t).asInt(), embedded, t * hidden);
            }
            assertClose(embeds, embedded, 0, caseId + " embed_tokens");
        }
        float[] logits = LmHead.load(config, ckpt, embedding, "lm_head.weight").forward(normed, tokens);
        int[] columns = ReferenceCase.intArray(ReferenceCase.json(refDir.resolve("forward.json")).get("logit_columns"));
        float[] refColumns = ReferenceCase.floats(refDir, tensors.get("logits_columns"));
        float[] got = new float[refColumns.length];
        for (int t = 0; t < tokens; t++) {
            for (int k = 0; k < columns.length; k++) {
                got[t * columns.length + k] = logits[t * config.vocabSize() + columns[k]];
            }
        }
        assertClose(refColumns, got, TOL, caseId + " logits_columns");

        assertStepsMatchFullPass(decoder, embeds, positions[0], normed, false, caseId);
        // A bfloat16 cache rounds keys and values alike in the full pass and the steps.
        float[] bf16Full = decoder.forward(embeds.clone(), new DecoderBatch(tokens,
                new KvCache[]{decoder.newCache(1, tokens, true)}, new int[1], positions, valid), null, null);
        assertClose(normed, bf16Full, 0.05, caseId + " last_hidden_state with a bf16 cache");
        assertStepsMatchFullPass(decoder, embeds, positions[0], bf16Full, true, caseId);
    }

    /** The sequence again, its last three tokens decoded one at a time (as independent one-row sequences). */
    private static void assertStepsMatchFullPass(LlamaDecoder decoder, float[] embeds, int[] positions, float[] full,
                                                 boolean bf16, String caseId) {
        int hidden = decoder.config().hiddenSize();
        int tokens = positions.length;
        int prompt = tokens - 3;
        KvCache stepped = decoder.newCache(1, prompt, bf16);
        decoder.forward(Arrays.copyOf(embeds, prompt * hidden), new DecoderBatch(prompt, new KvCache[]{stepped},
                new int[1], new int[][]{Arrays.copyOf(positions, prompt)}, new boolean[][]{allTrue(prompt)}),
                null, null);
        for (int t = prompt; t < tokens; t++) {
            int[][] mask = {new int[t + 1]};
            Arrays.fill(mask[0], 1);
            float[] step = decoder.forward(Arrays.copyOfRange(embeds, t * hidden, (t + 1) * hidden),
                    DecoderBatch.ofSequences(new KvCache[]{stepped}, mask), null, null);
            assertClose(Arrays.copyOfRange(full, t * hidden, (t + 1) * hidden), step, 1e-5,
                    caseId + " decoded token " + t + (bf16 ? " (bf16 cache)" : ""));
        }
    }

    /** The layout random checkpoints are written from names and shapes every decoder tensor as the checkpoints do. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny-idefics3", "tiny-smolvlm", "tiny-idefics2"})
    void weightLayoutMatchesTheCheckpoint(String model) {
        LlamaConfig config = RotaryEmbeddingTest.textConfig(model);
        Checkpoint ckpt = checkpoint(model);
        WeightLayout layout = new WeightLayout();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            LlamaDecoderLayer.weights(config, "model.text_model.layers." + i + ".", layout);
        }
        assertEquals(9 * config.numHiddenLayers(), layout.entries().size());
        for (WeightLayout.Entry e : layout.entries()) {
            assertArrayEquals(e.shape(), ckpt.info(e.name()).shape(), e.name());
        }
    }

    private static boolean[] allTrue(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    private static int[] toInts(float[] f) {
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (int) f[i];
        }
        return out;
    }
}
