package dev.idefics4j.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A forward pass of a batch of prompts against a {@code forward.json} case: tensors over [rows, tokens, width] and
 * the logits compared at real tokens only ({@code attention_mask == 1}), since values at left padding are
 * implementation-defined.
 */
public final class ForwardComparison {
    private ForwardComparison() {
    }

    /** {@code actual} against the reference tensor {@code name} at the real tokens, max abs diff within tol. */
    public static void assertRealTokensClose(Path refDir, JsonNode tensors, String name, float[] actual, int[][] mask,
                                             int width, double tol, String caseId) {
        float[] ref = ReferenceCase.floats(refDir, tensors.get(name));
        assertTrue(actual != null, caseId + " " + name + " was not computed");
        assertEquals(ref.length, actual.length, caseId + " " + name + " size");
        int tokens = mask[0].length;
        double worst = 0;
        for (int b = 0; b < mask.length; b++) {
            for (int t = 0; t < tokens; t++) {
                if (mask[b][t] == 0) {
                    continue;
                }
                int o = (b * tokens + t) * width;
                for (int i = 0; i < width; i++) {
                    worst = Math.max(worst, Math.abs(ref[o + i] - actual[o + i]));
                }
            }
        }
        assertTrue(worst <= tol, caseId + " " + name + " max abs diff " + worst);
    }

    /**
     * Logits at every position [rows, tokens, vocab] against {@code logits_columns} (the vocabulary ids
     * {@code columns}), {@code logits_logsumexp} over the whole vocabulary (both within tol) and
     * {@code logits_argmax} (exact) at the real tokens, and {@code logits_last}, each row's complete last row, when
     * the case has it.
     */
    public static void assertLogits(Path refDir, JsonNode tensors, int[] columns, float[] logits, int vocab,
                                    int[][] mask, double tol, String caseId) {
        int rows = mask.length;
        int tokens = mask[0].length;
        float[] refColumns = ReferenceCase.floats(refDir, tensors.get("logits_columns"));
        float[] refLse = ReferenceCase.floats(refDir, tensors.get("logits_logsumexp"));
        long[] refArgmax = ReferenceCase.longs(refDir, tensors.get("logits_argmax"));
        assertEquals((long) rows * tokens * vocab, logits.length, caseId + " logits size");
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
                assertEquals(refArgmax[b * tokens + t], ModelRun.argmax(logits, row, vocab),
                        caseId + " argmax at row " + b + " position " + t);
            }
        }
        assertTrue(worst <= tol, caseId + " logits max abs diff " + worst);
        if (tensors.has("logits_last")) {
            float[] last = new float[rows * vocab];
            for (int b = 0; b < rows; b++) {
                System.arraycopy(logits, ((b + 1) * tokens - 1) * vocab, last, b * vocab, vocab);
            }
            Tolerances.assertClose(ReferenceCase.floats(refDir, tensors.get("logits_last")), last, tol,
                    caseId + " logits_last");
        }
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
}
