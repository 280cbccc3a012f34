package dev.idefics4j.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A greedy or sampling {@code generate} call's processed scores, step by step, against {@code greedy_step_top5}. */
public final class StepScores {
    private StepScores() {
    }

    /**
     * Per step and row the reference's five best ids (exact) and their processed scores (within tol); entries masked
     * to -inf only by score, since their order among equals is the sort's business.
     *
     * @param steps the listener's scores of each step, [rows * vocab]
     */
    public static void assertTop5(JsonNode ref, List<float[]> steps, int vocab, double tol, String where) {
        assertEquals(ref.size(), steps.size(), where + " number of steps");
        for (int s = 0; s < ref.size(); s++) {
            int[][] ids = ReferenceCase.intMatrix(ref.get(s).get("top5_ids"));
            JsonNode refScores = ref.get(s).get("top5_scores");
            for (int r = 0; r < ids.length; r++) {
                int[] ours = topK(steps.get(s), r * vocab, vocab, ids[r].length);
                for (int k = 0; k < ids[r].length; k++) {
                    double want = score(refScores.get(r).get(k));
                    float got = steps.get(s)[r * vocab + ours[k]];
                    String at = where + " step " + s + " row " + r + " rank " + k;
                    if (Double.isInfinite(want)) {
                        assertEquals(want, got, at + " score");
                        continue;
                    }
                    assertEquals(ids[r][k], ours[k], at + " id");
                    assertTrue(Math.abs(want - got) <= tol, at + " score " + got + " vs " + want);
                }
            }
        }
    }

    /** The k best indices of {@code x[off, off + n)}, best first, the lower index first among equals. */
    private static int[] topK(float[] x, int off, int n, int k) {
        int[] best = new int[k];
        boolean[] taken = new boolean[n];
        for (int j = 0; j < k; j++) {
            int pick = -1;
            for (int i = 0; i < n; i++) {
                if (!taken[i] && (pick < 0 || x[off + i] > x[off + pick])) {
                    pick = i;
                }
            }
            taken[pick] = true;
            best[j] = pick;
        }
        return best;
    }

    /** Python's json writes -inf as {@code -Infinity}, which Jackson reads as text or a number. */
    private static double score(JsonNode n) {
        return n.isNumber() ? n.doubleValue() : Double.parseDouble(n.asText());
    }
}
