package dev.idefics4j.generation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.model.idefics.ImageContext;
import dev.idefics4j.processor.IdeficsImageInputs;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.ReferenceCase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scoring continuations against a plain full forward of prompt + continuation, and the ranking it implies. */
class ContinuationScorerTest {
    private static final double TOL = 1e-4;

    /** log p(continuation[j] | prompt, continuation[..j]) from one uncached forward over the concatenation. */
    private static float[] fullForwardLogProbs(IdeficsModel model, ModelInputs prompt, int[] continuation) {
        IdeficsImageInputs images = Fixtures.images(prompt);
        int p = prompt.sequenceLength();
        int n = p + continuation.length;
        int[][] ids = {Arrays.copyOf(prompt.inputIds()[0], n)};
        System.arraycopy(continuation, 0, ids[0], p, continuation.length);
        int[][] mask = {Arrays.copyOf(prompt.attentionMask()[0], n)};
        Arrays.fill(mask[0], p, n, 1);
        int[][][] imageMask = new int[1][n][];
        for (int t = 0; t < n; t++) {
            imageMask[0][t] = images.imageAttentionMask()[0][Math.min(t, p - 1)].clone();
        }
        ImageContext ctx = model.encodeImages(images.pixelValues(), 1, images.maxImages(), null, null);
        KvCache cache = model.newCache(1, n);
        float[] logits = model.forward(ids, mask, imageMask, ctx, cache, true, null);
        int vocab = model.vocabSize();
        float[] lp = new float[continuation.length];
        float[] row = new float[vocab];
        for (int j = 0; j < continuation.length; j++) {
            ScoreMath.logSoftmax(logits, (p - 1 + j) * vocab, vocab, row, 0);
            lp[j] = row[continuation[j]];
        }
        return lp;
    }

    private static List<int[]> candidates() {
        return List.of(new int[]{16894, 32000, 7423}, new int[]{5311}, new int[]{18793, 3520, 20180, 4911, 13},
                new int[]{32001, 29901}, new int[]{2});
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny", "tiny-80b-style", "tiny-noresampler"})
    void logProbsEqualAFullForward(String modelName) {
        IdeficsModel model = Fixtures.model(modelName);
        for (String prompt : new String[]{"processor.json#text_image_text", "processor.json#text_only"}) {
            ModelInputs in = Fixtures.inputs(modelName, prompt);
            List<ContinuationScore> scores = ContinuationScorer.score(model, in, candidates());
            assertEquals(candidates().size(), scores.size());
            for (int i = 0; i < scores.size(); i++) {
                int[] c = candidates().get(i);
                float[] want = fullForwardLogProbs(model, in, c);
                ContinuationScore got = scores.get(i);
                assertArrayEquals(c, got.tokens());
                double sum = 0;
                for (int j = 0; j < c.length; j++) {
                    assertEquals(want[j], got.logProbs()[j], TOL, prompt + " candidate " + i + " token " + j);
                    sum += got.logProbs()[j];
                }
                assertEquals(sum, got.total(), 1e-9);
                assertTrue(got.total() < 0);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny", "tiny-80b-style", "tiny-noresampler"})
    void rankingFollowsTheGreedyScores(String modelName) {
        // greedy_no_bad_words has no logits processors: its step scores are the raw logits, so their order is the
        // order of the log-probabilities, and the greedy token of each step is the most likely one.
        JsonNode c = Fixtures.generateCases(modelName).get("greedy_no_bad_words");
        ModelInputs in = Fixtures.inputs(modelName, c.get("inputs_from").asText());
        int[] greedy = ReferenceCase.intArray(c.get("new_tokens").get(0));
        JsonNode steps = c.get("greedy_step_top5");
        int step = 3;
        int[] top5 = ReferenceCase.intArray(steps.get(step).get("top5_ids").get(0));
        List<int[]> candidates = new ArrayList<>();
        for (int alt : top5) {
            int[] cand = Arrays.copyOf(greedy, step + 1);
            cand[step] = alt;
            candidates.add(cand);
        }
        List<ContinuationScore> scores = ContinuationScorer.score(Fixtures.model(modelName), in, candidates);
        for (int i = 1; i < scores.size(); i++) {
            assertTrue(scores.get(i - 1).total() > scores.get(i).total(),
                    "candidate " + (i - 1) + " should outrank candidate " + i);
            // The shared prefix scores the same in every candidate.
            assertArrayEquals(Arrays.copyOf(scores.get(0).logProbs(), step),
                    Arrays.copyOf(scores.get(i).logProbs(), step));
        }
        assertArrayEquals(Arrays.copyOf(greedy, step + 1), scores.getFirst().tokens());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny"})
    void aLeftPaddedPromptScoresLikeTheUnpaddedOne(String modelName) {
        ModelInputs batch = Fixtures.inputs(modelName, "processor.json#batch3_eou_false");
        IdeficsImageInputs images = Fixtures.images(batch);
        int[][][] im = {images.imageAttentionMask()[0]};
        int imageFloats = images.pixelValues().length / batch.batchSize();
        ModelInputs padded = new ModelInputs(new int[][]{batch.inputIds()[0]}, new int[][]{batch.attentionMask()[0]},
                new IdeficsImageInputs(im, Arrays.copyOf(images.pixelValues(), imageFloats), images.maxImages()),
                List.of(), List.of());
        ModelInputs unpadded = Fixtures.row(batch, 0);
        List<ContinuationScore> a = ContinuationScorer.score(Fixtures.model(modelName), padded, candidates());
        List<ContinuationScore> b = ContinuationScorer.score(Fixtures.model(modelName), unpadded, candidates());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(b.get(i).total(), a.get(i).total(), TOL);
        }
    }
}
