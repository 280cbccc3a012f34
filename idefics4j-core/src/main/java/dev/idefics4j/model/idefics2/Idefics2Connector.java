package dev.idefics4j.model.idefics2;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.WeightLayout;
import dev.idefics4j.model.ForwardTrace;

/**
 * Idefics2Connector: {@code modality_projection}, a SiLU-gated MLP from the vision width through the text model's
 * intermediate size to its hidden size (the text model's {@code hidden_act}, SiLU in every published Idefics2), then
 * the {@code perceiver_resampler}, which turns each image's patch states into {@code resampler_n_latents} states.
 */
public final class Idefics2Connector {
    private final int textHidden;
    private final Idefics2Mlp modalityProjection;
    private final Idefics2PerceiverResampler perceiverResampler;

    /**
     * Loads {@code prefix + "modality_projection."} and {@code prefix + "perceiver_resampler."}
     * ({@code prefix} = {@code "model.connector."}); {@code perceiver} is read with the same text model's width.
     */
    public Idefics2Connector(Checkpoint ckpt, String prefix, int visionHidden, int textHidden, int textIntermediate,
                             Idefics2PerceiverConfig perceiver) {
        if (perceiver.hiddenSize() != textHidden) {
            throw new IllegalArgumentException("perceiver hidden_size " + perceiver.hiddenSize()
                    + " differs from the text model's " + textHidden);
        }
        this.textHidden = textHidden;
        modalityProjection = new Idefics2Mlp(ckpt, prefix + "modality_projection.", visionHidden, textIntermediate,
                textHidden);
        perceiverResampler = new Idefics2PerceiverResampler(perceiver, ckpt, prefix + "perceiver_resampler.");
    }

    /** The connector's tensors under {@code prefix} as the reference names and orders them (random checkpoints). */
    static void weights(String prefix, int visionHidden, int textHidden, int textIntermediate,
                        Idefics2PerceiverConfig perceiver, WeightLayout out) {
        mlpWeights(prefix + "modality_projection.", visionHidden, textIntermediate, textHidden, out);
        String pr = prefix + "perceiver_resampler.";
        int hidden = perceiver.hiddenSize();
        int headDim = perceiver.resamplerHeadDim();
        out.add(pr + "latents", WeightLayout.Kind.LATENTS, perceiver.resamplerNLatents(), hidden);
        for (int i = 0; i < perceiver.resamplerDepth(); i++) {
            String layer = pr + "layers." + i + ".";
            out.add(layer + "input_latents_norm.weight", WeightLayout.Kind.NORM_WEIGHT, hidden);
            out.add(layer + "input_context_norm.weight", WeightLayout.Kind.NORM_WEIGHT, hidden);
            out.linear(layer + "self_attn.q_proj", hidden, perceiver.resamplerNHeads() * headDim, false);
            out.linear(layer + "self_attn.k_proj", hidden, perceiver.numKeyValueHeads() * headDim, false);
            out.linear(layer + "self_attn.v_proj", hidden, perceiver.numKeyValueHeads() * headDim, false);
            out.linear(layer + "self_attn.o_proj", perceiver.resamplerNHeads() * headDim, hidden, false);
            out.add(layer + "post_attention_layernorm.weight", WeightLayout.Kind.NORM_WEIGHT, hidden);
            mlpWeights(layer + "mlp.", hidden, 4 * hidden, hidden, out);
        }
        out.add(pr + "norm.weight", WeightLayout.Kind.NORM_WEIGHT, hidden);
    }

    /** Idefics2MLP's projections: gate, up, down. */
    private static void mlpWeights(String prefix, int in, int intermediate, int outFeatures, WeightLayout out) {
        out.linear(prefix + "gate_proj", in, intermediate, false);
        out.linear(prefix + "up_proj", in, intermediate, false);
        out.linear(prefix + "down_proj", intermediate, outFeatures, false);
    }

    /** States per image out of the connector: the perceiver's latents. */
    public int numLatents() {
        return perceiverResampler.numLatents();
    }

    /**
     * {@code [images, seq, vision hidden]} (the tower's output, {@code patchMask} {@code [images, seq]} false for
     * padded patches) into {@code [images, n_latents, text hidden]}. {@code trace} (may be null) receives
     * {@code connector_modality_projection} and {@code perceiver_layer_<i>}.
     */
    public float[] forward(float[] imageStates, int images, int seq, boolean[] patchMask, ForwardTrace trace) {
        float[] projected = modalityProjection.forward(imageStates, images * seq);
        if (trace != null) {
            trace.record("connector_modality_projection", projected.clone(), images, seq, textHidden);
        }
        return perceiverResampler.forward(projected, images, seq, patchMask, trace);
    }
}
