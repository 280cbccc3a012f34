package dev.idefics4j.generation;

/**
 * {@code top_k} (sampling only): scores below the k-th largest become -inf; ties with it survive, as the reference
 * compares against the k-th value. k is at least {@code min_tokens_to_keep}.
 */
final class TopKWarper implements LogitsProcessor {
    private final int topK;

    TopKWarper(int topK, int minTokensToKeep) {
        this.topK = Math.max(topK, minTokensToKeep);
    }

    @Override
    public void process(Sequences ids, float[] scores, int vocab) {
        int k = Math.min(topK, vocab);
        for (int r = 0; r < scores.length / vocab; r++) {
            int off = r * vocab;
            int[] top = ScoreMath.topK(scores, off, vocab, k);
            float threshold = scores[off + top[top.length - 1]];
            for (int i = 0; i < vocab; i++) {
                if (scores[off + i] < threshold) {
                    scores[off + i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }
}
