package dev.idefics4j.cli;

import dev.idefics4j.model.idefics.IdeficsConfig;
import dev.idefics4j.model.idefics.PerceiverConfig;
import dev.idefics4j.model.idefics.VisionConfig;

/**
 * Floating-point operations (2 per multiply-add) and weight sizes of IDEFICS pieces, from a config: what the
 * benchmark divides its times by, and how it scales per-layer times to other model sizes.
 */
record ModelFlops(IdeficsConfig c) {
    /** Weights one text token reads in a decoder layer: q, k, v, o and the gated MLP. */
    long decoderLayerParams() {
        long h = c.hiddenSize();
        return 4 * h * h + 3 * h * c.intermediateSize();
    }

    /** Weights one text token reads in a gated cross-attention block: q, o and the MLP (image k/v are cached). */
    long crossLayerParams() {
        long h = c.hiddenSize();
        return 2 * h * h + 3 * h * c.intermediateSize();
    }

    long lmHeadParams() {
        return (long) c.hiddenSize() * c.totalVocabSize();
    }

    /** One 224-px image through the vision tower, the resampler and every cross-attention key/value projection. */
    double imageFlops() {
        VisionConfig v = c.visionConfig();
        double e = v.embedDim();
        double t = v.numPositions();
        double patchIn = (double) v.numChannels() * v.patchSize() * v.patchSize();
        double flops = 2 * v.numPatches() * patchIn * e;
        flops += v.numHiddenLayers() * (2 * t * (4 * e * e + 2 * e * v.intermediateSize()) + 4 * t * t * e);
        double states = t;
        if (c.useResampler()) {
            PerceiverConfig p = c.perceiverConfig();
            double n = p.resamplerNLatents();
            double inner = (double) p.resamplerNHeads() * p.resamplerHeadDim();
            double kv = t + n;
            flops += p.resamplerDepth() * (2 * n * e * inner + 4 * kv * e * inner + 2 * n * inner * e
                    + 16 * n * e * e + 4 * n * kv * inner);
            states = n;
        }
        return flops + c.numCrossLayers() * 4 * states * e * c.hiddenSize();
    }

    /** A prompt of {@code tokens} tokens that all see one image, logits for the last one. */
    double prefillFlops(int tokens) {
        double h = c.hiddenSize();
        double t = tokens;
        double decoder = 2 * t * decoderLayerParams() + 2 * t * t * h;
        double cross = 2 * t * crossLayerParams() + 4 * t * c.imageSeqLen() * h;
        return c.numHiddenLayers() * decoder + c.numCrossLayers() * cross + 2 * lmHeadParams();
    }
}
