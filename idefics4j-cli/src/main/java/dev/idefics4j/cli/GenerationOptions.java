package dev.idefics4j.cli;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** Generation settings of the task commands, under the reference's names (as {@code --max-new-tokens} etc.). */
final class GenerationOptions {
    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Most tokens to generate (the task's own "
            + "default otherwise, e.g. 10 for caption).")
    Integer maxNewTokens;
    @Option(names = "--max-length", paramLabel = "N", description = "Most tokens in all, prompt included.")
    Integer maxLength;
    @Option(names = "--min-new-tokens", paramLabel = "N", description = "No end of sequence before this many tokens.")
    Integer minNewTokens;
    @Option(names = "--num-beams", paramLabel = "N", description = "Beam search with N beams (1: greedy or sampling).")
    Integer numBeams;
    @Option(names = "--num-return-sequences", paramLabel = "N",
            description = "Answers to return (at most --num-beams with beam search).")
    Integer numReturnSequences;
    @Option(names = "--do-sample", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "Sample instead of choosing the likeliest token.")
    Boolean doSample;
    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (below 1: surer).")
    Double temperature;
    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K likeliest tokens (0: all).")
    Integer topK;
    @Option(names = "--top-p", paramLabel = "P",
            description = "Sample among the likeliest tokens that make up probability P.")
    Double topP;
    @Option(names = "--min-p", paramLabel = "P",
            description = "Sample among tokens at least P times as likely as the likeliest.")
    Double minP;
    @Option(names = "--seed", paramLabel = "N", description = "Seed for sampling, for repeatable answers.")
    Long seed;
    @Option(names = "--repetition-penalty", paramLabel = "X",
            description = "Make tokens already in the text less likely (above 1) or more (below 1).")
    Double repetitionPenalty;
    @Option(names = "--no-repeat-ngram-size", paramLabel = "N", description = "Never repeat a run of N tokens.")
    Integer noRepeatNgramSize;
    @Option(names = "--length-penalty", paramLabel = "X",
            description = "Beam search: above 0 favours longer answers, below 0 shorter ones.")
    Double lengthPenalty;

    @Option(names = "--param", paramLabel = "NAME=JSON",
            description = "Any other generation parameter by its reference name, value as JSON "
                    + "(e.g. --param 'stop=[\"\\n\"]').")
    Map<String, String> extra = new LinkedHashMap<>();

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "max_new_tokens", maxNewTokens);
        put(m, "max_length", maxLength);
        put(m, "min_new_tokens", minNewTokens);
        put(m, "num_beams", numBeams);
        put(m, "num_return_sequences", numReturnSequences);
        put(m, "do_sample", doSample);
        put(m, "temperature", temperature);
        put(m, "top_k", topK);
        put(m, "top_p", topP);
        put(m, "min_p", minP);
        put(m, "seed", seed);
        put(m, "repetition_penalty", repetitionPenalty);
        put(m, "no_repeat_ngram_size", noRepeatNgramSize);
        put(m, "length_penalty", lengthPenalty);
        extra.forEach((k, v) -> {
            try {
                m.put(k, Json.MAPPER.readValue(v, Object.class));
            } catch (Exception e) {
                m.put(k, v); // a bare word is a string
            }
        });
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
