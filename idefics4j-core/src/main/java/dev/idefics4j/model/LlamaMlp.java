package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.tensor.Ops;

/** IdeficsMLP (the LLaMA MLP): {@code down(silu(gate(x)) * up(x))}. */
public final class LlamaMlp {
    private final Linear gateProj;
    private final Linear upProj;
    private final Linear downProj;

    public LlamaMlp(Checkpoint ckpt, String prefix, int hidden, int intermediate) {
        gateProj = Linear.load(ckpt, prefix + "gate_proj", hidden, intermediate, false);
        upProj = Linear.load(ckpt, prefix + "up_proj", hidden, intermediate, false);
        downProj = Linear.load(ckpt, prefix + "down_proj", intermediate, hidden, false);
    }

    /** Bytes of the three weights, all read for every token. */
    public long byteSize() {
        return gateProj.weight().byteSize() + upProj.weight().byteSize() + downProj.weight().byteSize();
    }

    public float[] forward(float[] x, int n) {
        float[][] gateUp = Linear.forwardEach(x, n, gateProj, upProj);
        float[] gate = gateUp[0];
        float[] up = gateUp[1];
        Ops.siluMul(gate, up, gate.length);
        return downProj.forward(gate, n);
    }
}
