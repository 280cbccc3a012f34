package dev.idefics4j.generation;

/**
 * {@code no_repeat_ngram_size}: bans every token that would complete an n-gram already present in the row (prompt
 * included), i.e. the successors of earlier occurrences of the row's last n-1 tokens.
 */
final class NoRepeatNGramProcessor implements LogitsProcessor {
    private final int n;

    NoRepeatNGramProcessor(int n) {
        this.n = n;
    }

    @Override
    public void process(Sequences ids, float[] scores, int vocab) {
        int len = ids.length();
        if (len + 1 < n) {
            return;
        }
        int prefix = n - 1;
        for (int r = 0; r < ids.rows(); r++) {
            int[] row = ids.row(r);
            for (int start = 0; start + n <= len; start++) {
                if (matches(row, start, len - prefix, prefix)) {
                    scores[r * vocab + row[start + prefix]] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    private static boolean matches(int[] row, int a, int b, int count) {
        for (int i = 0; i < count; i++) {
            if (row[a + i] != row[b + i]) {
                return false;
            }
        }
        return true;
    }
}
