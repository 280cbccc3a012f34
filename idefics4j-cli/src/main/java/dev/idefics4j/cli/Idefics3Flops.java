package dev.idefics4j.cli;

import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.model.SiglipVisionConfig;
import dev.idefics4j.model.idefics3.Idefics3Config;

/** Floating-point operations (2 per multiply-add) of Idefics3 pieces, from a config: what the benchmark divides by. */
record Idefics3Flops(Idefics3Config c) {
    /** One full tile through the SigLIP tower and the connector (pixel shuffle and projection). */
    double tileFlops() {
        SiglipVisionConfig v = c.visionConfig();
        double e = v.hiddenSize();
        double t = v.numPositions();
        double patchIn = (double) v.numChannels() * v.patchSize() * v.patchSize();
        double flops = 2 * t * patchIn * e;
        flops += v.numHiddenLayers() * (2 * t * (4 * e * e + 2 * e * v.intermediateSize()) + 4 * t * t * e);
        return flops + 2.0 * c.imageSeqLen() * c.connectorInputDim() * c.textConfig().hiddenSize();
    }

    /** Weights one text token reads in a decoder layer: q, k, v, o and the gated MLP. */
    long decoderLayerParams() {
        LlamaConfig l = c.textConfig();
        long h = l.hiddenSize();
        return 2 * h * l.queryDim() + 2 * h * l.keyValueDim() + 3 * h * l.intermediateSize();
    }

    /** A prompt of {@code tokens} tokens through every decoder layer, logits for the last one. */
    double prefillFlops(int tokens) {
        LlamaConfig l = c.textConfig();
        double t = tokens;
        double perLayer = 2 * t * decoderLayerParams() + 2 * t * t * l.queryDim();
        return l.numHiddenLayers() * perLayer + 2.0 * l.hiddenSize() * l.vocabSize();
    }
}
