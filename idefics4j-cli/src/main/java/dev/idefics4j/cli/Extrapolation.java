package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.idefics.IdeficsConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Full-model estimates from single-layer times: a decoding step (or a 512-token prefill) is the decoder layers,
 * the cross-attention blocks and the lm head, each scaled from the measured 9b-shaped layer by its weight count
 * in the target config (decoding streams weights, prefill multiplies by them: both scale with the count). Images
 * go through the same ViT-H/14 and resampler in every published IDEFICS, so their time carries over.
 */
final class Extrapolation {
    static final String[] MODELS = {"idefics-9b", "idefics-80b"};

    private Extrapolation() {
    }

    static IdeficsConfig published(String name) {
        ObjectNode node = ModelFamilies.publishedConfig(name);
        return IdeficsConfig.parse(name, node);
    }

    /**
     * @param measured the config the layers were timed in
     * @param layers   median seconds: llama_decode, xattn_decode, llama_prefill, xattn_prefill, lm_head
     */
    static Map<String, Object> estimate(IdeficsConfig measured, Map<String, Double> layers, double imageSeconds,
                                        int promptTokens) {
        ModelFlops base = new ModelFlops(measured);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : MODELS) {
            IdeficsConfig target = published(name);
            ModelFlops t = new ModelFlops(target);
            double dec = (double) t.decoderLayerParams() / base.decoderLayerParams();
            double cross = (double) t.crossLayerParams() / base.crossLayerParams();
            double head = (double) t.lmHeadParams() / base.lmHeadParams();
            double step = target.numHiddenLayers() * dec * layers.get("llama_decode")
                    + target.numCrossLayers() * cross * layers.get("xattn_decode") + head * layers.get("lm_head");
            double prefill = target.numHiddenLayers() * dec * layers.get("llama_prefill")
                    + target.numCrossLayers() * cross * layers.get("xattn_prefill") + head * layers.get("lm_head");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("decoder_layers", target.numHiddenLayers());
            m.put("cross_attention_layers", target.numCrossLayers());
            m.put("decode_s_per_token", Samples.round(step));
            m.put("decode_tokens_per_s", Samples.round(1 / step));
            m.put("prefill_s", Samples.round(prefill));
            m.put("prefill_tokens_per_s", Samples.round(promptTokens / prefill));
            if (!Double.isNaN(imageSeconds)) {
                m.put("image_encode_s", Samples.round(imageSeconds));
            }
            out.put(name, m);
        }
        return out;
    }
}
