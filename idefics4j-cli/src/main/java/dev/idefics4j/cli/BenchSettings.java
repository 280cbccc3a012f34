package dev.idefics4j.cli;

import java.util.Set;

/**
 * What one benchmark run measures and how often: warm-up calls, then timed repetitions per quantity (long
 * quantities get fewer), the prompt and context lengths, the batch for batched decoding, and which sections run.
 */
record BenchSettings(int warmup, int reps, int longReps, int decodeSteps, int promptTokens, int context,
                     int batch, long probeBytes, Set<String> sections) {
    static final Set<String> ALL = Set.of("probes", "image", "prefill", "decode", "batch", "gemm", "layers");
    /** Layer modes as scripts/torch_layers.py names them, plus the lm head for the estimates. */
    static final String[] LAYER_MODES = {"llama_decode", "xattn_decode", "llama_prefill", "xattn_prefill", "vit",
            "lm_head"};

    static BenchSettings standard(Set<String> sections) {
        return new BenchSettings(2, 7, 3, 16, 512, 512, 8, 1L << 30, sections);
    }

    /** Under a minute on two cores: fewer repetitions, a smaller bandwidth buffer, no prefill-sized layers. */
    static BenchSettings quick(Set<String> sections) {
        return new BenchSettings(1, 2, 2, 6, 512, 512, 8, 256L << 20, sections);
    }

    boolean runs(String section) {
        return sections.contains(section);
    }
}
