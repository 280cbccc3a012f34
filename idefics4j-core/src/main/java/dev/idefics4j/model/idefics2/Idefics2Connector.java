package dev.idefics4j.model.idefics2;

import dev.idefics4j.checkpoint.Checkpoint;
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
