package dev.idefics4j.generation;

import java.util.ArrayList;
import java.util.List;

/**
 * The reference's BeamSearchScorer: turns each step's best {@code 2·num_beams} (or more, with several eos ids)
 * candidates per prompt into the next beams, moving candidates that end with an eos id into the finished
 * hypotheses, and at the end picks the {@code num_return_sequences} best hypotheses per prompt.
 */
final class BeamSearchScorer {
    /** The next beams, all rows: running score, token to append, and the row each continues. */
    record Step(float[] scores, int[] tokens, int[] sources) {
    }

    /** One returned sequence: its row as the reference decodes it, its score, how it ended. */
    record Final(int prompt, int[] ids, float score, BeamHypotheses.Hypothesis hypothesis) {
    }

    private final int numBeams;
    private final int keep;
    private final BeamHypotheses[] hyps;
    private final boolean[] done;

    BeamSearchScorer(int prompts, int numBeams, double lengthPenalty, EarlyStopping earlyStopping, int keep,
                     int maxLength) {
        this.numBeams = numBeams;
        this.keep = keep;
        hyps = new BeamHypotheses[prompts];
        for (int b = 0; b < prompts; b++) {
            hyps[b] = new BeamHypotheses(numBeams, lengthPenalty, earlyStopping, maxLength);
        }
        done = new boolean[prompts];
    }

    boolean isDone() {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }

    boolean isDone(int prompt) {
        return done[prompt];
    }

    /**
     * @param candScores  per prompt, the candidates' running scores, best first
     * @param candTokens  per prompt, the candidates' tokens
     * @param candRows    per prompt, the row (over all prompts' beams) each candidate extends
     */
    Step process(Sequences ids, float[][] candScores, int[][] candTokens, int[][] candRows, int pad, int[] eos,
                 int promptLength) {
        int rows = hyps.length * numBeams;
        float[] scores = new float[rows];
        int[] tokens = new int[rows];
        int[] sources = new int[rows];
        int curLength = ids.length() + 1;
        for (int b = 0; b < hyps.length; b++) {
            if (done[b]) {
                // The reference pads a finished prompt's beams and points them at row 0; they are never read again.
                for (int j = 0; j < numBeams; j++) {
                    tokens[b * numBeams + j] = pad;
                }
                continue;
            }
            int beam = 0;
            for (int rank = 0; rank < candTokens[b].length && beam < numBeams; rank++) {
                int token = candTokens[b][rank];
                if (NoBadWordsProcessor.contains(eos, token)) {
                    if (rank >= numBeams) {
                        continue; // an eos outside the top num_beams candidates is not a good enough ending
                    }
                    hyps[b].add(ids.copy(candRows[b][rank], 0), candScores[b][rank], curLength - promptLength,
                            true);
                } else {
                    int at = b * numBeams + beam++;
                    scores[at] = candScores[b][rank];
                    tokens[at] = token;
                    sources[at] = candRows[b][rank];
                }
            }
            if (beam < numBeams) {
                throw new IllegalStateException("beam search found fewer than num_beams candidates that are not eos");
            }
            done[b] = hyps[b].isDone(candScores[b][0], curLength, promptLength);
        }
        return new Step(scores, tokens, sources);
    }

    /** Adds the still open beams as hypotheses and returns the best {@code keep} per prompt, decoded as rows. */
    List<Final> finish(Sequences ids, float[] beamScores, int maxLength, int pad, int[] eos, int promptLength) {
        for (int b = 0; b < hyps.length; b++) {
            if (done[b]) {
                continue;
            }
            for (int j = 0; j < numBeams; j++) {
                int row = b * numBeams + j;
                hyps[b].add(ids.copy(row, 0), beamScores[row], ids.length() - promptLength, false);
            }
        }
        List<BeamHypotheses.Hypothesis> best = new ArrayList<>();
        List<Integer> prompts = new ArrayList<>();
        int longest = 0;
        int shortest = Integer.MAX_VALUE;
        for (int b = 0; b < hyps.length; b++) {
            // Stable ascending sort, best taken from the end: among equal scores the later one wins, as Python's.
            List<BeamHypotheses.Hypothesis> sorted = new ArrayList<>(hyps[b].beams());
            sorted.sort((x, y) -> Double.compare(x.score(), y.score()));
            for (int j = 0; j < keep; j++) {
                BeamHypotheses.Hypothesis h = sorted.removeLast();
                best.add(h);
                prompts.add(b);
                longest = Math.max(longest, h.tokens().length);
                shortest = Math.min(shortest, h.tokens().length);
            }
        }
        // Rows are as long as the longest hypothesis plus room for its eos, within max_length.
        int width = Math.min(longest + 1, maxLength);
        List<Final> out = new ArrayList<>();
        for (int i = 0; i < best.size(); i++) {
            BeamHypotheses.Hypothesis h = best.get(i);
            int[] row = new int[width];
            if (shortest != longest) {
                java.util.Arrays.fill(row, pad);
            }
            int len = h.tokens().length;
            System.arraycopy(h.tokens(), 0, row, 0, len);
            if (len < width) {
                row[len] = eos != null ? eos[0] : pad;
            }
            out.add(new Final(prompts.get(i), row, (float) h.score(), h));
        }
        return out;
    }
}
