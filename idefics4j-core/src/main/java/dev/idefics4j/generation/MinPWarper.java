package dev.idefics4j.generation;

/**
 * {@code min_p} (sampling only): removes tokens whose probability is below {@code min_p} times the top token's
 * probability. In descending score order those form a tail, so a count of survivors describes the cut.
 */
final class MinPWarper extends ProbabilityCutoffWarper {
    private final double minP;

    MinPWarper(double minP, int minTokensToKeep) {
        super(minTokensToKeep);
        this.minP = minP;
    }

    @Override
    int kept(double[] p, int[] order) {
        double threshold = minP * p[order[0]];
        int kept = 0;
        while (kept < order.length && !(p[order[kept]] < threshold)) {
            kept++;
        }
        return kept;
    }
}
