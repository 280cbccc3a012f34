package dev.idefics4j.checkpoint;

import dev.idefics4j.model.idefics.IdeficsConfig;
import dev.idefics4j.model.idefics.PerceiverConfig;
import dev.idefics4j.model.idefics.VisionConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The state dict an IdeficsForVisionText2Text of a given config has: every tensor name (the reference's) with its
 * shape, in the reference's module order. Used to write checkpoints; loading checks the same names and shapes.
 */
public final class WeightLayout {
    /** One tensor and what kind of values it holds (which matters for random initialisation). */
    public record Entry(String name, long[] shape, Kind kind) {
    }

    public enum Kind { LINEAR, EMBEDDING, NORM_WEIGHT, BIAS, ALPHA, LATENTS }

    private WeightLayout() {
    }

    public static List<Entry> of(IdeficsConfig c) {
        List<Entry> out = new ArrayList<>();
        VisionConfig v = c.visionConfig();
        int e = v.embedDim();
        int h = c.hiddenSize();
        String vm = "model.vision_model.";
        add(out, vm + "embeddings.class_embedding", Kind.EMBEDDING, e);
        add(out, vm + "embeddings.patch_embedding.weight", Kind.LINEAR, e, v.numChannels(), v.patchSize(),
                v.patchSize());
        add(out, vm + "embeddings.position_embedding.weight", Kind.EMBEDDING, v.numPositions(), e);
        layerNorm(out, vm + "pre_layrnorm", e);
        for (int i = 0; i < v.numHiddenLayers(); i++) {
            String p = vm + "encoder.layers." + i + ".";
            for (String proj : new String[]{"q_proj", "k_proj", "v_proj", "out_proj"}) {
                linear(out, p + "self_attn." + proj, e, e, true);
            }
            layerNorm(out, p + "layer_norm1", e);
            linear(out, p + "mlp.fc1", e, v.intermediateSize(), true);
            linear(out, p + "mlp.fc2", v.intermediateSize(), e, true);
            layerNorm(out, p + "layer_norm2", e);
        }
        layerNorm(out, vm + "post_layernorm", e);
        if (c.useResampler()) {
            PerceiverConfig pc = c.perceiverConfig();
            String pr = "model.perceiver_resampler.";
            int inner = pc.resamplerNHeads() * pc.resamplerHeadDim();
            add(out, pr + "latents", Kind.LATENTS, pc.resamplerNLatents(), e);
            for (int i = 0; i < pc.resamplerDepth(); i++) {
                String p = pr + "blocks." + i + ".";
                layerNorm(out, p + "0.context_layer_norm", e);
                layerNorm(out, p + "0.latents_layer_norm", e);
                if (pc.qkLayerNormsPerceiver()) {
                    layerNorm(out, p + "0.q_layer_norm", pc.resamplerHeadDim());
                    layerNorm(out, p + "0.k_layer_norm", pc.resamplerHeadDim());
                }
                linear(out, p + "0.q_proj", e, inner, false);
                linear(out, p + "0.k_proj", e, inner, false);
                linear(out, p + "0.v_proj", e, inner, false);
                linear(out, p + "0.output_proj", inner, e, false);
                layerNorm(out, p + "1.ln", e);
                linear(out, p + "1.fc", e, 4 * e, false);
                linear(out, p + "1.c_proj", 4 * e, e, false);
            }
            layerNorm(out, pr + "layer_norm", e);
        }
        add(out, "model.embed_tokens.weight", Kind.EMBEDDING, c.vocabSize(), h);
        if (c.additionalVocabSize() > 0) {
            add(out, "model.embed_tokens.additional_embedding.weight", Kind.EMBEDDING, c.additionalVocabSize(), h);
        }
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            for (String proj : new String[]{"q_proj", "k_proj", "v_proj", "o_proj"}) {
                linear(out, p + "self_attn." + proj, h, h, false);
            }
            mlp(out, p + "mlp.", h, c.intermediateSize());
            add(out, p + "input_layernorm.weight", Kind.NORM_WEIGHT, h);
            add(out, p + "post_attention_layernorm.weight", Kind.NORM_WEIGHT, h);
        }
        for (int i = 0; i < c.numCrossLayers(); i++) {
            String p = "model.gated_cross_attn_layers." + i + ".";
            linear(out, p + "cross_attn.q_proj", h, h, false);
            linear(out, p + "cross_attn.k_proj", e, h, false);
            linear(out, p + "cross_attn.v_proj", e, h, false);
            linear(out, p + "cross_attn.o_proj", h, h, false);
            if (c.qkLayerNorms()) {
                add(out, p + "cross_attn.q_layer_norm.weight", Kind.NORM_WEIGHT, c.headDim());
                add(out, p + "cross_attn.k_layer_norm.weight", Kind.NORM_WEIGHT, c.headDim());
            }
            mlp(out, p + "mlp.", h, c.intermediateSize());
            add(out, p + "input_layernorm.weight", Kind.NORM_WEIGHT, h);
            add(out, p + "post_attention_layernorm.weight", Kind.NORM_WEIGHT, h);
            long[] alpha = c.alphaType().equals("vector") ? new long[]{1, 1, h} : new long[]{1};
            out.add(new Entry(p + "alpha_cross_attn", alpha, Kind.ALPHA));
            out.add(new Entry(p + "alpha_dense", alpha, Kind.ALPHA));
        }
        add(out, "model.norm.weight", Kind.NORM_WEIGHT, h);
        if (!c.tieWordEmbeddings()) {
            add(out, "lm_head.weight", Kind.LINEAR, c.vocabSize(), h);
            if (c.additionalVocabSize() > 0) {
                add(out, "lm_head.additional_fc.weight", Kind.LINEAR, c.additionalVocabSize(), h);
            }
        }
        return out;
    }

    private static void add(List<Entry> out, String name, Kind kind, long... shape) {
        out.add(new Entry(name, shape, kind));
    }

    private static void linear(List<Entry> out, String prefix, int in, int outFeatures, boolean bias) {
        add(out, prefix + ".weight", Kind.LINEAR, outFeatures, in);
        if (bias) {
            add(out, prefix + ".bias", Kind.BIAS, outFeatures);
        }
    }

    private static void layerNorm(List<Entry> out, String prefix, int dim) {
        add(out, prefix + ".weight", Kind.NORM_WEIGHT, dim);
        add(out, prefix + ".bias", Kind.BIAS, dim);
    }

    private static void mlp(List<Entry> out, String prefix, int hidden, int intermediate) {
        linear(out, prefix + "gate_proj", hidden, intermediate, false);
        linear(out, prefix + "down_proj", intermediate, hidden, false);
        linear(out, prefix + "up_proj", hidden, intermediate, false);
    }
}
