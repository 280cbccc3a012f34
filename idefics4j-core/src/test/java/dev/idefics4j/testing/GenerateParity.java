package dev.idefics4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.generation.GenerationListener;
import dev.idefics4j.generation.GenerationResult;
import dev.idefics4j.generation.Generator;
import dev.idefics4j.processor.ModelInputs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays one case of a {@code generate.json}: the same sequences exactly, beam {@code sequences_scores} within
 * {@link #TOL}, and for greedy / sampling the per-step top-5 processed scores within {@link #TOL}.
 */
public final class GenerateParity {
    public static final double TOL = 1e-4;

    private GenerateParity() {
    }

    /** Generates for {@code c} and checks the results against it; returns them. */
    public static List<GenerationResult> assertMatches(Generator generator, ModelInputs in, GenerationConfig config,
                                                       int vocab, JsonNode c, String caseId) {
        List<float[]> steps = new ArrayList<>();
        GenerationListener scores = new GenerationListener() {
            @Override
            public void onScores(int step, float[] s, int v) {
                steps.add(s.clone());
            }
        };
        List<GenerationResult> results = generator.generate(in, config, config.numBeams() > 1 ? null : scores);

        int[][] expected = ReferenceCase.intMatrix(c.get("sequences"));
        assertEquals(expected.length, results.size(), caseId + " number of sequences");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], results.get(i).ids(), caseId + " sequence " + i);
            assertEquals(c.get("prompt_length").asInt(), results.get(i).promptLength(), caseId + " prompt length");
        }
        if (c.has("sequences_scores")) {
            for (int i = 0; i < expected.length; i++) {
                double want = c.get("sequences_scores").get(i).asDouble();
                double got = results.get(i).score().orElseThrow();
                assertEquals(want, got, TOL, caseId + " sequences_scores[" + i + "]");
            }
        }
        if (c.has("greedy_step_top5")) {
            checkTop5(c.get("greedy_step_top5"), steps, vocab, caseId);
        }
        return results;
    }

    private static void checkTop5(JsonNode ref, List<float[]> steps, int vocab, String caseId) {
        assertEquals(ref.size(), steps.size(), caseId + " number of steps");
        for (int s = 0; s < ref.size(); s++) {
            int[][] ids = ReferenceCase.intMatrix(ref.get(s).get("top5_ids"));
            JsonNode refScores = ref.get(s).get("top5_scores");
            for (int r = 0; r < ids.length; r++) {
                int[] ours = topK(steps.get(s), r * vocab, vocab, ids[r].length);
                for (int k = 0; k < ids[r].length; k++) {
                    double want = score(refScores.get(r).get(k));
                    float got = steps.get(s)[r * vocab + ours[k]];
                    String where = caseId + " step " + s + " row " + r + " rank " + k;
                    if (Double.isInfinite(want)) {
                        // Masked entries tie at -inf; their order is the sort's business.
                        assertEquals(want, got, where + " score");
                        continue;
                    }
                    assertEquals(ids[r][k], ours[k], where + " id");
                    assertTrue(Math.abs(want - got) <= TOL, where + " score " + got + " vs " + want);
                }
            }
        }
    }

    /** The {@code k} best indices of a row, best first (equal scores in index order). */
    private static int[] topK(float[] x, int off, int n, int k) {
        return IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -x[off + i]).thenComparingInt(i -> i))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    /** Python's json writes -inf as {@code -Infinity}, which Jackson reads as text or a number. */
    private static double score(JsonNode n) {
        return n.isNumber() ? n.doubleValue() : Double.parseDouble(n.asText());
    }
}
