package dev.idefics4j.server;

import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.processor.ModelInputs;

/**
 * A request ready to generate: its prompt processed (images decoded, tokens counted against the limits) and its
 * settings resolved.
 *
 * @param seed     the sampling seed (chosen by the server when sampling without one, so it can be reported); null
 *                 for greedy search
 * @param logprobs whether each token's log-probability is wanted
 */
record PreparedRequest(ModelInputs inputs, GenerationConfig config, int promptTokens, Long seed, boolean logprobs) {

    int choices() {
        return config.numReturnSequences();
    }
}
