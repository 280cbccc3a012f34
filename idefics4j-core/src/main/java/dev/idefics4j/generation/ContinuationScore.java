package dev.idefics4j.generation;

import java.util.Arrays;

/**
 * How likely the model finds a continuation of a prompt.
 *
 * @param tokens   the continuation
 * @param logProbs per token, its log-probability given the prompt and the tokens before it (log_softmax of the
 *                 full logits, no logits processors)
 * @param total    the sum of {@code logProbs}: the log-probability of the whole continuation
 */
public record ContinuationScore(int[] tokens, float[] logProbs, double total) {

    /** The mean log-probability per token, for comparing continuations of different lengths. */
    public double mean() {
        return total / tokens.length;
    }

    @Override
    public String toString() {
        return "ContinuationScore{tokens=" + Arrays.toString(tokens) + ", logProbs=" + Arrays.toString(logProbs)
                + ", total=" + total + '}';
    }
}
