package dev.idefics4j.generation;

/**
 * One step of the reference's logits processing: rewrites the next-token scores of every row in place, given the
 * tokens so far. Processors run in the reference's order (see {@link LogitsProcessors}).
 */
interface LogitsProcessor {
    /**
     * @param ids    the sequences so far (prompt included, as the reference's {@code input_ids})
     * @param scores [rows * vocab] next-token scores, rewritten in place
     */
    void process(Sequences ids, float[] scores, int vocab);
}
