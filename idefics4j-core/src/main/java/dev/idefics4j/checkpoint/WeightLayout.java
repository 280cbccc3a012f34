package dev.idefics4j.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * A state dict's tensors as a family lays them out (reference names, shapes, module order), built block by block;
 * random checkpoints are written from it.
 */
public final class WeightLayout {
    /** One tensor and what kind of values it holds (which matters for random initialisation). */
    public record Entry(String name, long[] shape, Kind kind) {
    }

    public enum Kind { LINEAR, EMBEDDING, NORM_WEIGHT, BIAS, ALPHA, LATENTS }

    private final List<Entry> entries = new ArrayList<>();

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public WeightLayout add(String name, Kind kind, long... shape) {
        entries.add(new Entry(name, shape, kind));
        return this;
    }

    /** {@code nn.Linear}: {@code prefix.weight} [out, in] and, with a bias, {@code prefix.bias}. */
    public WeightLayout linear(String prefix, int in, int outFeatures, boolean bias) {
        add(prefix + ".weight", Kind.LINEAR, outFeatures, in);
        if (bias) {
            add(prefix + ".bias", Kind.BIAS, outFeatures);
        }
        return this;
    }

    /** {@code nn.LayerNorm}: weight and bias. */
    public WeightLayout layerNorm(String prefix, int dim) {
        add(prefix + ".weight", Kind.NORM_WEIGHT, dim);
        return add(prefix + ".bias", Kind.BIAS, dim);
    }

    /**
     * A CLIP / SigLIP vision encoder layer under {@code prefix} ("...layers.3."): biased q, k, v and out
     * projections, two LayerNorms and a biased two-layer MLP.
     */
    public WeightLayout encoderLayer(String prefix, int embed, int intermediate) {
        for (String proj : new String[]{"q_proj", "k_proj", "v_proj", "out_proj"}) {
            linear(prefix + "self_attn." + proj, embed, embed, true);
        }
        layerNorm(prefix + "layer_norm1", embed);
        linear(prefix + "mlp.fc1", embed, intermediate, true);
        linear(prefix + "mlp.fc2", intermediate, embed, true);
        return layerNorm(prefix + "layer_norm2", embed);
    }

    /** The LLaMA MLP under {@code prefix} ("...mlp."): gate, down and up projections. */
    public WeightLayout llamaMlp(String prefix, int hidden, int intermediate) {
        linear(prefix + "gate_proj", hidden, intermediate, false);
        linear(prefix + "down_proj", intermediate, hidden, false);
        return linear(prefix + "up_proj", hidden, intermediate, false);
    }
}
