package dev.idefics4j.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Comparisons of a forward pass with a {@code forward.json} case, position by position where the attention mask is
 * 1 (padded positions hold whatever attention over nothing gives, which no output depends on).
 */
public final class ForwardParity {
    private ForwardParity() {
    }

    /** {@code [rows, tokens, width]} tensors within {@code tol} at the real positions of {@code mask}. */
    public static void assertTokensClose(float[] expected, float[] actual, int[][] mask, int width, double tol,
                                         String what) {
        assertEquals(expected.length, actual.length, what + " size");
        int tokens = mask[0].length;
        double worst = 0;
        for (int b = 0; b < mask.length; b++) {
            for (int t = 0; t < tokens; t++) {
                if (mask[b][t] == 0) {
                    continue;
                }
                int o = (b * tokens + t) * width;
                for (int i = 0; i < width; i++) {
                    worst = Math.max(worst, Math.abs(expected[o + i] - actual[o + i]));
                }
            }
        }
        assertTrue(worst <= tol, what + " max abs diff " + worst);
    }

    /**
     * {@code logits} ({@code [rows, tokens, vocab]}) against the case's {@code logits_columns} (at {@code columns}),
     * {@code logits_logsumexp} and, when present, {@code logits_last} within {@code tol}, and {@code logits_argmax}
     * exactly, at every real position.
     */
    public static void assertLogitsMatch(Path refDir, JsonNode tensors, int[] columns, float[] logits, int[][] mask,
                                         int vocab, double tol, String caseId) {
        float[] refColumns = ReferenceCase.floats(refDir, tensors.get("logits_columns"));
        float[] refLse = ReferenceCase.floats(refDir, tensors.get("logits_logsumexp"));
        long[] refArgmax = ReferenceCase.longs(refDir, tensors.get("logits_argmax"));
        int rows = mask.length;
        int tokens = mask[0].length;
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
