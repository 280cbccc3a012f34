package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.ConfigReader;

/**
 * Idefics2PerceiverConfig: the perceiver resampler of Idefics2's connector, read from {@code config.json}'s
 * {@code perceiver_config} with the reference defaults (transformers 4.46).
 */
public record Idefics2PerceiverConfig(String hiddenAct, int hiddenSize, double rmsNormEps, int resamplerNLatents,
                                      int resamplerDepth, int resamplerNHeads, int resamplerHeadDim,
                                      int numKeyValueHeads) {

    /** Query heads that share one key/value head. */
    public int numKeyValueGroups() {
        return resamplerNHeads / numKeyValueHeads;
    }

    /**
     * Reads {@code perceiver_config} (a JSON object, or null for all defaults) of the config file {@code file}.
     * As Idefics2Config does, a {@code hidden_size} other than the text model's (the default 4096 left in place,
     * say) is replaced by the text model's, and {@code rms_norm_eps} by the text model's with it.
     */
    public static Idefics2PerceiverConfig read(String file, JsonNode perceiverConfig, int textHiddenSize,
                                               double textRmsNormEps) {
        ConfigReader r = new ConfigReader(file + " (perceiver_config)", perceiverConfig, null, "");
        int hidden = r.positiveInt("hidden_size", 4096);
        double eps = r.positiveDouble("rms_norm_eps", 1e-6);
        if (hidden != textHiddenSize) {
            hidden = textHiddenSize;
            eps = textRmsNormEps;
        }
        Idefics2PerceiverConfig c = new Idefics2PerceiverConfig(
                r.string("hidden_act", "silu", "silu"),
                hidden,
                eps,
                r.positiveInt("resampler_n_latents", 64),
                r.positiveInt("resampler_depth", 3),
                r.positiveInt("resampler_n_heads", 16),
                r.positiveInt("resampler_head_dim", 96),
                r.positiveInt("num_key_value_heads", 4));
        if (c.numKeyValueHeads > c.resamplerNHeads || c.resamplerNHeads % c.numKeyValueHeads != 0) {
            throw r.error("num_key_value_heads", "(" + c.numKeyValueHeads + ") must divide "
                    + "perceiver_config.resampler_n_heads (" + c.resamplerNHeads + ")");
        }
        return c;
    }
}
