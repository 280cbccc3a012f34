package dev.idefics4j.generation;

/**
 * {@code min_length} / {@code min_new_tokens}: every eos id is banned while the sequences are shorter than the
 * minimum (counted with the padded prompt, as the reference).
 */
final class MinLengthProcessor implements LogitsProcessor {
    private final int minLength;
    private final int[] eos;

    MinLengthProcessor(int minLength, int[] eos) {
        this.minLength = minLength;
        this.eos = eos.clone();
    }

    @Override
    public void process(Sequences ids, float[] scores, int vocab) {
        if (ids.length() >= minLength) {
            return;
        }
        for (int r = 0; r < ids.rows(); r++) {
            for (int e : eos) {
                if (e < vocab) {
                    scores[r * vocab + e] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }
}
