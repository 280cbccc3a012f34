package dev.idefics4j.generation;

/**
 * {@code top_p} (sampling only, nucleus): keeps the smallest set of most likely tokens whose probabilities reach
 * {@code top_p}. As the reference, tokens are removed from the unlikely end while the cumulative probability of
 * the ascending order stays at or below {@code 1 - top_p}.
 */
final class TopPWarper extends ProbabilityCutoffWarper {
    private final double topP;

    TopPWarper(double topP, int minTokensToKeep) {
        super(minTokensToKeep);
        this.topP = topP;
    }

    @Override
    int kept(double[] p, int[] order) {
        double cumulative = 0;
        int kept = order.length;
        while (kept > 0) {
            cumulative += p[order[kept - 1]];
            if (cumulative > 1 - topP) {
                break;
            }
            kept--;
        }
        return kept;
    }
}
