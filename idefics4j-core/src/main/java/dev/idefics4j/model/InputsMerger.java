package dev.idefics4j.model;

/**
 * The reference's {@code inputs_merger} of the families whose images enter the decoder as tokens (Idefics2,
 * Idefics3, SmolVLM): the image states, one row per {@code <image>} token, replace those tokens' embeddings in
 * reading order across the batch.
 */
public final class InputsMerger {
    private InputsMerger() {
    }

    /**
     * @param h           the prompts' embeddings, [rows · tokens, hidden], updated in place
     * @param ids         [rows][tokens] the prompts' token ids
     * @param states      [image states, hidden], every real image's states in batch order
     * @param imageSeqLen states per image, for the error message
     * @throws IllegalArgumentException when the prompts hold another number of {@code <image>} tokens than states
     */
    public static void merge(float[] h, int[][] ids, float[] states, int hidden, int imageTokenId, int imageSeqLen) {
        int given = states.length / hidden;
        int needed = 0;
        for (int[] row : ids) {
            for (int id : row) {
                needed += id == imageTokenId ? 1 : 0;
            }
        }
        if (needed != given) {
            throw new IllegalArgumentException("the prompts hold " + needed + " <image> tokens (image_token_id "
                    + imageTokenId + ") but their images make " + given + " image states (image_seq_len "
                    + imageSeqLen + " per image); the text and the images must come from one processor call");
        }
        int tokens = ids.length == 0 ? 0 : ids[0].length;
        int next = 0;
        for (int b = 0; b < ids.length; b++) {
            for (int t = 0; t < tokens; t++) {
                if (ids[b][t] == imageTokenId) {
                    System.arraycopy(states, next++ * hidden, h, (b * tokens + t) * hidden, hidden);
                }
            }
        }
    }
}
