package dev.idefics4j.model.idefics;

import dev.idefics4j.checkpoint.WeightLayout;
import dev.idefics4j.checkpoint.WeightLayout.Kind;
import dev.idefics4j.model.LlamaDecoderLayer;

import java.util.List;

/**
 * The state dict an IdeficsForVisionText2Text of a given config has: every tensor name (the reference's) with its
 * shape, in the reference's module order. Random checkpoints are written from it; loading checks the same names
 * and shapes.
 */
final class IdeficsWeightLayout {
    private IdeficsWeightLayout() {
    }

    static List<WeightLayout.Entry> of(IdeficsConfig c) {
        WeightLayout out = new WeightLayout();
        VisionConfig v = c.visionConfig();
        int e = v.embedDim();
        int h = c.hiddenSize();
        String vm = "model.vision_model.";
        out.add(vm + "embeddings.class_embedding", Kind.EMBEDDING, e);
        out.add(vm + "embeddings.patch_embedding.weight", Kind.LINEAR, e, v.numChannels(), v.patchSize(),
                v.patchSize());
        out.add(vm + "embeddings.position_embedding.weight", Kind.EMBEDDING, v.numPositions(), e);
        out.layerNorm(vm + "pre_layrnorm", e);
        for (int i = 0; i < v.numHiddenLayers(); i++) {
            out.encoderLayer(vm + "encoder.layers." + i + ".", e, v.intermediateSize());
        }
        out.layerNorm(vm + "post_layernorm", e);
        if (c.useResampler()) {
            PerceiverConfig pc = c.perceiverConfig();
            String pr = "model.perceiver_resampler.";
            int inner = pc.resamplerNHeads() * pc.resamplerHeadDim();
            out.add(pr + "latents", Kind.LATENTS, pc.resamplerNLatents(), e);
            for (int i = 0; i < pc.resamplerDepth(); i++) {
                String p = pr + "blocks." + i + ".";
                out.layerNorm(p + "0.context_layer_norm", e);
                out.layerNorm(p + "0.latents_layer_norm", e);
                if (pc.qkLayerNormsPerceiver()) {
                    out.layerNorm(p + "0.q_layer_norm", pc.resamplerHeadDim());
                    out.layerNorm(p + "0.k_layer_norm", pc.resamplerHeadDim());
                }
                out.linear(p + "0.q_proj", e, inner, false);
                out.linear(p + "0.k_proj", e, inner, false);
                out.linear(p + "0.v_proj", e, inner, false);
                out.linear(p + "0.output_proj", inner, e, false);
                out.layerNorm(p + "1.ln", e);
                out.linear(p + "1.fc", e, 4 * e, false);
                out.linear(p + "1.c_proj", 4 * e, e, false);
            }
            out.layerNorm(pr + "layer_norm", e);
        }
        out.add("model.embed_tokens.weight", Kind.EMBEDDING, c.vocabSize(), h);
        if (c.additionalVocabSize() > 0) {
            out.add("model.embed_tokens.additional_embedding.weight", Kind.EMBEDDING, c.additionalVocabSize(), h);
        }
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            LlamaDecoderLayer.weights(c.textConfig(), "model.layers." + i + ".", out);
        }
        for (int i = 0; i < c.numCrossLayers(); i++) {
            String p = "model.gated_cross_attn_layers." + i + ".";
            out.linear(p + "cross_attn.q_proj", h, h, false);
            out.linear(p + "cross_attn.k_proj", e, h, false);
            out.linear(p + "cross_attn.v_proj", e, h, false);
            out.linear(p + "cross_attn.o_proj", h, h, false);
            if (c.qkLayerNorms()) {
                out.add(p + "cross_attn.q_layer_norm.weight", Kind.NORM_WEIGHT, c.headDim());
                out.add(p + "cross_attn.k_layer_norm.weight", Kind.NORM_WEIGHT, c.headDim());
            }
            out.llamaMlp(p + "mlp.", h, c.intermediateSize());
            out.add(p + "input_layernorm.weight", Kind.NORM_WEIGHT, h);
            out.add(p + "post_attention_layernorm.weight", Kind.NORM_WEIGHT, h);
            long[] alpha = c.alphaType().equals("vector") ? new long[]{1, 1, h} : new long[]{1};
            out.add(p + "alpha_cross_attn", Kind.ALPHA, alpha);
            out.add(p + "alpha_dense", Kind.ALPHA, alpha);
        }
        out.add("model.norm.weight", Kind.NORM_WEIGHT, h);
        if (!c.tieWordEmbeddings()) {
            out.add("lm_head.weight", Kind.LINEAR, c.vocabSize(), h);
            if (c.additionalVocabSize() > 0) {
                out.add("lm_head.additional_fc.weight", Kind.LINEAR, c.additionalVocabSize(), h);
            }
        }
        return out.entries();
    }
}
