package dev.idefics4j;

import java.util.Arrays;

/**
 * A category's score for an image: the log-probability the model gives the label's tokens after the
 * classification prompt ({@code logprob}, their sum) and per token.
 */
public record LabelScore(String label, double logprob, int[] tokenIds, float[] tokenLogprobs) {
    /** Readable, arrays included (a record prints their identity: {@code [I@3561c410}). */
    @Override
    public String toString() {
        return "LabelScore[label=" + label + ", logprob=" + logprob + ", tokenIds=" + Arrays.toString(tokenIds)
                + ", tokenLogprobs=" + Arrays.toString(tokenLogprobs) + "]";
    }

    /** The mean per-token log-probability, which does not favour short labels. */
    public double meanLogprob() {
        return tokenLogprobs.length == 0 ? 0 : logprob / tokenLogprobs.length;
    }
}
