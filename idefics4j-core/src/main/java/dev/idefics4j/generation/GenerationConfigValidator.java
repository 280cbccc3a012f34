package dev.idefics4j.generation;

import java.util.List;

/**
 * Rejects generation settings that are out of range or contradict each other, naming the parameters. Where the
 * reference only warns (e.g. {@code min_length} above {@code max_length}) the settings are still contradictory and
 * rejected here.
 */
final class GenerationConfigValidator {
    private GenerationConfigValidator() {
    }

    static void validate(GenerationConfig c) {
        if (c.maxNewTokens() != null && c.maxNewTokens() < 1) {
            throw fail("max_new_tokens must be at least 1, got " + c.maxNewTokens());
        }
        if (c.maxLength() != null && c.maxLength() < 1) {
            throw fail("max_length must be at least 1, got " + c.maxLength());
        }
        nonNegative("min_new_tokens", c.minNewTokens() == null ? 0 : c.minNewTokens());
        nonNegative("min_length", c.minLength());
        if (c.maxNewTokens() != null && c.minNewTokens() != null && c.minNewTokens() > c.maxNewTokens()) {
            throw fail("min_new_tokens (" + c.minNewTokens() + ") exceeds max_new_tokens (" + c.maxNewTokens() + ")");
        }
        if (c.maxNewTokens() == null && c.maxLength() != null && c.minNewTokens() == null
                && c.minLength() > c.maxLength()) {
            throw fail("min_length (" + c.minLength() + ") exceeds max_length (" + c.maxLength() + ")");
        }
        if (!Double.isFinite(c.temperature())) {
            throw fail("temperature must be a finite number, got " + c.temperature());
        }
        if (c.doSample() && c.temperature() <= 0) {
            throw fail("temperature must be strictly positive when do_sample is true, got " + c.temperature());
        }
        nonNegative("top_k", c.topK());
        if (!(c.topP() > 0 && c.topP() <= 1)) {
            throw fail("top_p must be in (0, 1], got " + c.topP());
        }
        if (c.minP() != null && !(c.minP() >= 0 && c.minP() <= 1)) {
            throw fail("min_p must be in [0, 1], got " + c.minP());
        }
        if (c.numBeams() < 1) {
            throw fail("num_beams must be at least 1, got " + c.numBeams());
        }
        if (c.numReturnSequences() < 1) {
            throw fail("num_return_sequences must be at least 1, got " + c.numReturnSequences());
        }
        if (c.numBeams() == 1 && !c.doSample() && c.numReturnSequences() > 1) {
            throw fail("num_return_sequences (" + c.numReturnSequences() + ") > 1 needs do_sample=true or "
                    + "num_beams >= num_return_sequences (greedy search returns one sequence per prompt)");
        }
        if (c.numBeams() > 1 && c.numReturnSequences() > c.numBeams()) {
            throw fail("num_return_sequences (" + c.numReturnSequences() + ") must not exceed num_beams ("
                    + c.numBeams() + ")");
        }
        if (!Double.isFinite(c.lengthPenalty())) {
            throw fail("length_penalty must be a finite number, got " + c.lengthPenalty());
        }
        if (!(c.repetitionPenalty() > 0) || !Double.isFinite(c.repetitionPenalty())) {
            throw fail("repetition_penalty must be a strictly positive number, got " + c.repetitionPenalty());
        }
        nonNegative("no_repeat_ngram_size", c.noRepeatNgramSize());
        List<int[]> bad = c.badWordsIds();
        if (bad != null) {
            if (bad.isEmpty()) {
                throw fail("bad_words_ids must be a non-empty list of token id lists (or null)");
            }
            for (int[] seq : bad) {
                if (seq.length == 0) {
                    throw fail("bad_words_ids must not contain an empty list");
                }
                for (int id : seq) {
                    nonNegative("bad_words_ids", id);
                }
            }
        }
        strings("bad_words", c.badWords());
        strings("stop", c.stop());
        if (c.eosTokenId() != null) {
            for (int id : c.eosTokenId()) {
                nonNegative("eos_token_id", id);
            }
        }
        nonNegative("pad_token_id", c.padTokenId() == null ? 0 : c.padTokenId());
        nonNegative("bos_token_id", c.bosTokenId() == null ? 0 : c.bosTokenId());
    }

    private static void strings(String name, List<String> values) {
        if (values == null) {
            return;
        }
        for (String s : values) {
            if (s == null || s.isEmpty()) {
                throw fail(name + " must not contain an empty string");
            }
        }
    }

    private static void nonNegative(String name, int value) {
        if (value < 0) {
            throw fail(name + " must not be negative, got " + value);
        }
    }

    private static IllegalArgumentException fail(String message) {
        return new IllegalArgumentException(message);
    }
}
