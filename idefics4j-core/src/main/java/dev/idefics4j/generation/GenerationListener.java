package dev.idefics4j.generation;

import java.util.List;

/**
 * Follows a greedy or sampling {@code generate} call step by step (streaming). Rows are the returned sequences:
 * prompt by prompt, then return sequence. Beam search does not stream (its tokens are only final at the end, the
 * reference rejects streamers too): passing a listener to it is an error.
 */
public interface GenerationListener {
    /**
     * The processed next-token scores of a step (after every logits processor, as the reference's
     * {@code output_scores}), [rows * vocab]. Read-only and only valid during the call.
     */
    default void onScores(int step, float[] scores, int vocab) {
    }

    /**
     * The tokens chosen at a step, one per row, and which rows are finished after it. Rows that had finished before
     * get {@code pad_token_id} (when an eos id is set; without one the reference keeps generating for them).
     */
    default void onTokens(int step, int[] tokens, boolean[] finished) {
    }

    /** Generation is over. */
    default void onFinish(List<GenerationResult> results) {
    }
}
