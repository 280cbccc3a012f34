package dev.idefics4j.generation;

import java.util.ArrayList;
import java.util.List;

/**
 * The logits processors of a call in the reference's order ({@code _get_logits_processor}): repetition penalty,
 * no-repeat n-grams, bad words, minimum length; then, when sampling, temperature, top-k, top-p and min-p.
 */
final class LogitsProcessors {
    private LogitsProcessors() {
    }

    static List<LogitsProcessor> build(GenerationConfig c, int promptLength, int[] eos, List<int[]> badWords) {
        List<LogitsProcessor> list = new ArrayList<>();
        if (c.repetitionPenalty() != 1.0) {
            list.add(new RepetitionPenaltyProcessor(c.repetitionPenalty()));
        }
        if (c.noRepeatNgramSize() > 0) {
            list.add(new NoRepeatNGramProcessor(c.noRepeatNgramSize()));
        }
        if (badWords != null) {
            list.add(new NoBadWordsProcessor(badWords, eos));
        }
        int minLength = c.effectiveMinLength(promptLength);
        if (eos != null && minLength > 0) {
            list.add(new MinLengthProcessor(minLength, eos));
        }
        if (c.doSample()) {
            // Beams must keep at least one non-eos candidate each.
            int minKeep = c.numBeams() > 1 ? (eos != null ? eos.length + 1 : 2) : 1;
            if (c.temperature() != 1.0) {
                list.add(new TemperatureWarper(c.temperature()));
            }
            if (c.topK() != 0) {
                list.add(new TopKWarper(c.topK(), minKeep));
            }
            if (c.topP() < 1.0) {
                list.add(new TopPWarper(c.topP(), minKeep));
            }
            if (c.minP() != null) {
                list.add(new MinPWarper(c.minP(), minKeep));
            }
        }
        return list;
    }

    static void apply(List<LogitsProcessor> processors, Sequences ids, float[] scores, int vocab) {
        for (LogitsProcessor p : processors) {
            p.process(ids, scores, vocab);
        }
    }
}
