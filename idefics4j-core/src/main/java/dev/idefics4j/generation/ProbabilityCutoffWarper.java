package dev.idefics4j.generation;

/**
 * A sampling warper that removes unlikely tokens by their probabilities (top-p, min-p): per row it gets the
 * softmax and the tokens by descending score, and never removes the {@code min_tokens_to_keep} best.
 */
abstract class ProbabilityCutoffWarper implements LogitsProcessor {
    protected final int minTokensToKeep;

    ProbabilityCutoffWarper(int minTokensToKeep) {
        this.minTokensToKeep = minTokensToKeep;
    }

    @Override
    public final void process(Sequences ids, float[] scores, int vocab) {
        for (int r = 0; r < scores.length / vocab; r++) {
            int off = r * vocab;
            double[] p = ScoreMath.softmax(scores, off, vocab);
            int[] order = ScoreMath.sortDescending(scores, off, vocab);
            int keep = Math.min(vocab, Math.max(minTokensToKeep, kept(p, order)));
            for (int i = keep; i < vocab; i++) {
                scores[off + order[i]] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * How many of the best tokens survive; the rest of {@code order} is removed.
     *
     * @param p     probabilities by token id
     * @param order token ids by descending score
     */
    abstract int kept(double[] p, int[] order);
}
