package dev.idefics4j.cli;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** Generation settings of the task commands, under the reference's names (as {@code --max-new-tokens} etc.). */
final class GenerationOptions {
    @Option(names = "--max-new-tokens", paramLabel = "N") Integer maxNewTokens;
    @Option(names = "--max-length", paramLabel = "N") Integer maxLength;
    @Option(names = "--min-new-tokens", paramLabel = "N") Integer minNewTokens;
    @Option(names = "--num-beams", paramLabel = "N") Integer numBeams;
    @Option(names = "--num-return-sequences", paramLabel = "N") Integer numReturnSequences;
    @Option(names = "--do-sample", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL") Boolean doSample;
    @Option(names = "--temperature", paramLabel = "T") Double temperature;
    @Option(names = "--top-k", paramLabel = "K") Integer topK;
    @Option(names = "--top-p", paramLabel = "P") Double topP;
    @Option(names = "--min-p", paramLabel = "P") Double minP;
    @Option(names = "--seed", paramLabel = "N") Long seed;
    @Option(names = "--repetition-penalty", paramLabel = "X") Double repetitionPenalty;
    @Option(names = "--no-repeat-ngram-size", paramLabel = "N") Integer noRepeatNgramSize;
    @Option(names = "--length-penalty", paramLabel = "X") Double lengthPenalty;

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
