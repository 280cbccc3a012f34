package dev.idefics4j.model.idefics;

import dev.idefics4j.checkpoint.ConfigReader;

/** IdeficsPerceiverConfig: the perceiver resampler that compresses each image to a few latents. */
public record PerceiverConfig(int resamplerNLatents, int resamplerDepth, int resamplerNHeads, int resamplerHeadDim,
                              boolean qkLayerNormsPerceiver) {

    static PerceiverConfig read(ConfigReader r) {
        return new PerceiverConfig(
                r.positiveInt("resampler_n_latents", 64),
                r.positiveInt("resampler_depth", 6),
                r.positiveInt("resampler_n_heads", 16),
                r.positiveInt("resampler_head_dim", 96),
                r.bool("qk_layer_norms_perceiver", false));
    }
}
