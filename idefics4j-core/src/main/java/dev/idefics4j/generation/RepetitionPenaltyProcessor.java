package dev.idefics4j.generation;

/**
 * {@code repetition_penalty}: the score of every token already in the row (prompt and padding included) is divided
 * by the penalty when positive and multiplied by it when negative, in float32 as the reference.
 */
final class RepetitionPenaltyProcessor implements LogitsProcessor {
    private final float penalty;

    RepetitionPenaltyProcessor(double penalty) {
        this.penalty = (float) penalty;
    }

    @Override
    public void process(Sequences ids, float[] scores, int vocab) {
        boolean[] seen = new boolean[vocab];
        for (int r = 0; r < ids.rows(); r++) {
            java.util.Arrays.fill(seen, false);
            int[] row = ids.row(r);
            int base = r * vocab;
            for (int p = 0; p < ids.length(); p++) {
                int t = row[p];
                if (seen[t]) {
                    continue; // the reference gathers before it scatters: a repeated token is penalised once
                }
                seen[t] = true;
                float s = scores[base + t];
                scores[base + t] = s < 0 ? s * penalty : s / penalty;
            }
        }
    }
}
