package dev.idefics4j.generation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The finished hypotheses of one prompt in beam search (the reference's BeamHypotheses): at most {@code num_beams}
 * of them, each scored {@code sum_logprobs / generated_length ^ length_penalty}, with the reference's eviction order
 * and stopping heuristics. Scores are doubles, as the reference's Python floats.
 */
final class BeamHypotheses {
    /**
     * @param tokens the sequence without its eos (the reference stores it so and appends eos when decoding)
     * @param eos    whether it ended with an eos id (else it was still open when generation stopped)
     */
    record Hypothesis(double score, int[] tokens, boolean eos) {
    }

    private final int numBeams;
    private final double lengthPenalty;
    private final EarlyStopping earlyStopping;
    private final int maxLength;
    private final List<Hypothesis> beams = new ArrayList<>();
    private double worstScore = 1e9;

    BeamHypotheses(int numBeams, double lengthPenalty, EarlyStopping earlyStopping, int maxLength) {
        this.numBeams = numBeams;
        this.lengthPenalty = lengthPenalty;
        this.earlyStopping = earlyStopping;
        this.maxLength = maxLength;
    }

    int size() {
        return beams.size();
    }

    List<Hypothesis> beams() {
        return beams;
    }

    void add(int[] tokens, double sumLogprobs, int generatedLength, boolean eos) {
        double score = sumLogprobs / Math.pow(generatedLength, lengthPenalty);
        if (beams.size() < numBeams || score > worstScore) {
            beams.add(new Hypothesis(score, tokens, eos));
            if (beams.size() > numBeams) {
                // Evict the worst (the earliest added among equals); the next worst becomes the bar.
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < beams.size(); i++) {
                    order.add(i);
                }
                order.sort(Comparator.<Integer>comparingDouble(i -> beams.get(i).score())
                        .thenComparingInt(i -> i));
                worstScore = beams.get(order.get(1)).score();
                beams.remove((int) order.get(0));
            } else {
                worstScore = Math.min(score, worstScore);
            }
        }
    }

    /**
     * Whether no open beam can still improve this prompt's hypotheses.
     *
     * @param bestSumLogprobs the best running beam score of the step
     * @param curLength       the sequence length the step's scores were computed for (prompt included)
     */
    boolean isDone(double bestSumLogprobs, int curLength, int promptLength) {
        if (beams.size() < numBeams) {
            return false;
        }
        return switch (earlyStopping) {
            case TRUE -> true;
            case FALSE -> worstScore >= bestSumLogprobs / Math.pow(curLength - promptLength, lengthPenalty);
            case NEVER -> {
                // With a positive penalty the best attainable score comes from the longest possible length.
                int length = lengthPenalty > 0 ? maxLength - promptLength : curLength - promptLength;
                if (length <= 0) {
                    throw new IllegalArgumentException("max_length is not larger than the prompt length");
                }
                yield worstScore >= bestSumLogprobs / Math.pow(length, lengthPenalty);
            }
        };
    }
}
