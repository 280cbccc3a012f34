package dev.idefics4j.model.idefics2;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.ForwardTrace;
import dev.idefics4j.tensor.Ops;
import dev.idefics4j.tensor.Parallel;

import java.util.Arrays;

/**
 * Idefics2PerceiverResampler: {@code resampler_n_latents} learned latents pass through {@code resampler_depth}
 * {@link Idefics2PerceiverLayer}s reading an image's states, then a final RMSNorm; every image becomes that many
 * states whatever its size.
 */
final class Idefics2PerceiverResampler {
    private final int hidden;
    private final int nLatents;
    private final double eps;
    private final float[] latents;
    private final Idefics2PerceiverLayer[] layers;
    private final float[] norm;

    Idefics2PerceiverResampler(Idefics2PerceiverConfig c, Checkpoint ckpt, String prefix) {
        hidden = c.hiddenSize();
        nLatents = c.resamplerNLatents();
        eps = c.rmsNormEps();
        latents = ckpt.floats(prefix + "latents", nLatents, hidden);
        layers = new Idefics2PerceiverLayer[c.resamplerDepth()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Idefics2PerceiverLayer(c, ckpt, prefix + "layers." + i + ".");
        }
        norm = ckpt.floats(prefix + "norm.weight", hidden);
    }

    int numLatents() {
        return nLatents;
    }

    /**
     * Resamples {@code count} contexts ({@code [count, contextLen, hidden]}, padded positions false in
     * {@code contextMask} {@code [count, contextLen]}) into {@code [count, n_latents, hidden]}. Images run in
     * parallel. {@code trace} (may be null) receives {@code perceiver_layer_<i>}, each {@code [count, n_latents,
     * hidden]}.
     */
    float[] forward(float[] context, int count, int contextLen, boolean[] contextMask, ForwardTrace trace) {
        int size = nLatents * hidden;
        float[] out = new float[count * size];
        float[][] stages = trace == null ? null : new float[layers.length][count * size];
        Parallel.forEach(count, count > 1, i -> {
            float[] ctx = Arrays.copyOfRange(context, i * contextLen * hidden, (i + 1) * contextLen * hidden);
            boolean[] keyValid = keyValid(contextMask, i * contextLen, contextLen);
            float[] lat = latents.clone();
            for (int l = 0; l < layers.length; l++) {
                layers[l].forward(lat, nLatents, ctx, contextLen, keyValid);
                if (stages != null) {
                    System.arraycopy(lat, 0, stages[l], i * size, size);
                }
            }
            Ops.rmsNorm(lat, 0, nLatents, hidden, norm, eps, out, i * size);
        });
        if (trace != null) {
            for (int l = 0; l < layers.length; l++) {
                trace.record("perceiver_layer_" + l, stages[l], count, nLatents, hidden);
            }
        }
        return out;
    }

    /** The context's mask followed by the latents' (always valid); null when nothing is masked. */
    private boolean[] keyValid(boolean[] contextMask, int offset, int contextLen) {
        boolean any = false;
        for (int t = offset; t < offset + contextLen; t++) {
            any |= !contextMask[t];
        }
        if (!any) {
            return null;
        }
        boolean[] valid = new boolean[contextLen + nLatents];
        System.arraycopy(contextMask, offset, valid, 0, contextLen);
        Arrays.fill(valid, contextLen, valid.length, true);
        return valid;
    }
}
