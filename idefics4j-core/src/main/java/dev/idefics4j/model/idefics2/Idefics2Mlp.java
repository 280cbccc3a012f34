package dev.idefics4j.model.idefics2;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.Linear;
import dev.idefics4j.tensor.Ops;

/**
 * Idefics2MLP: {@code down(silu(gate(x)) * up(x))} without biases, from {@code in} through {@code intermediate} to
 * {@code out} features (the modality projection maps the vision width to the text width; the perceiver's keeps it).
 */
final class Idefics2Mlp {
    private final Linear gateProj;
    private final Linear upProj;
    private final Linear downProj;

    Idefics2Mlp(Checkpoint ckpt, String prefix, int in, int intermediate, int out) {
        gateProj = Linear.load(ckpt, prefix + "gate_proj", in, intermediate, false);
        upProj = Linear.load(ckpt, prefix + "up_proj", in, intermediate, false);
        downProj = Linear.load(ckpt, prefix + "down_proj", intermediate, out, false);
    }

    /** {@code n} rows of {@code x} into {@code [n, out]}. */
    float[] forward(float[] x, int n) {
        float[] gate = gateProj.forward(x, n);
        float[] up = upProj.forward(x, n);
        Ops.siluMul(gate, up, gate.length);
        return downProj.forward(gate, n);
    }
}
