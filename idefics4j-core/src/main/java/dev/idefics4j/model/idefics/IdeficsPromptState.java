package dev.idefics4j.model.idefics;

import dev.idefics4j.model.DecodingState;

/**
 * What IDEFICS v1 keeps of a prompt for its later tokens: the encoded images (their keys and values in every gated
 * cross-attention block) and, per row, the image attention of the prompt's last token, which every new token
 * takes, as the reference's {@code _update_model_kwargs_for_generation} extends {@code image_attention_mask}.
 */
record IdeficsPromptState(ImageContext images, int[][] lastImageMask) implements DecodingState.PromptState {

    @Override
    public IdeficsPromptState select(int[] sources) {
        int[][] last = new int[sources.length][];
        for (int i = 0; i < sources.length; i++) {
            last[i] = lastImageMask[sources[i]];
        }
        return new IdeficsPromptState(images.select(sources), last);
    }
}
