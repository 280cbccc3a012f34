package dev.idefics4j.processor;

/**
 * The reference's {@code image_attention_mask_for_packed_input_ids} + {@code incremental_to_binary_attention_mask}:
 * each token attends to the most recent {@code <image>} at or before it; tokens before the first image, and tokens
 * after an EOS until the next image, attend to none; image indices beyond {@code maxImages} attend to none.
 */
final class ImageAttentionMask {
    private ImageAttentionMask() {
    }

    static int[][][] compute(int[][] inputIds, int imageTokenId, int eosTokenId, int maxImages) {
        int[][][] mask = new int[inputIds.length][][];
        for (int b = 0; b < inputIds.length; b++) {
            int[] ids = inputIds[b];
            mask[b] = new int[ids.length][maxImages];
            int count = -1;
            boolean seenEos = false;
            for (int t = 0; t < ids.length; t++) {
                if (ids[t] == imageTokenId) {
                    count++;
                    seenEos = false;
                }
                int image = seenEos ? -1 : count;
                if (image >= 0 && image < maxImages) {
                    mask[b][t][image] = 1;
                }
                if (ids[t] == eosTokenId) {
                    seenEos = true;
                }
            }
        }
        return mask;
    }
}
