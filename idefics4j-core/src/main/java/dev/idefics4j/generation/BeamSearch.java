package dev.idefics4j.generation;

import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Beam search and beam sampling (the reference's {@code _beam_search}): per step every beam's log-softmax is
 * processed and added to the beam's running score; over all beams of a prompt the best
 * {@code max(2, 1 + #eos) · num_beams} candidates (or as many drawn from their softmax when sampling) go to the
 * {@link BeamSearchScorer}; the KV cache follows the surviving beams. Beam 0 starts at score 0, the others at -1e9,
 * so the first step expands one beam only.
 */
final class BeamSearch {
    private BeamSearch() {
    }

    static List<GenerationResult> run(VisionLanguageModel model, ModelInputs in, GenerationPlan plan) {
        GenerationConfig c = plan.config();
        int prompts = in.batchSize();
        int numBeams = c.numBeams();
        DecodingSession.Prefilled prefilled = DecodingSession.prefill(model, in, numBeams, plan.maxLength());
        DecodingSession session = prefilled.session();
        float[] logits = prefilled.logits();
        Sequences seq = prefilled.sequences();
        int vocab = session.vocab();
        int rows = session.rows();
        BeamSearchScorer scorer = new BeamSearchScorer(prompts, numBeams, c.lengthPenalty(), c.earlyStopping(),
                c.numReturnSequences(), plan.maxLength());

        float[] beamScores = new float[rows];
        for (int r = 0; r < rows; r++) {
            beamScores[r] = r % numBeams == 0 ? 0f : -1e9f;
        }
        int candidates = Math.max(2, 1 + (plan.eos() == null ? 0 : plan.eos().length)) * numBeams;
        float[] scores = new float[rows * vocab];
        boolean stoppedByStrings = false;
        while (true) {
            for (int r = 0; r < rows; r++) {
                ScoreMath.logSoftmax(logits, r * vocab, vocab, scores, r * vocab);
            }
            LogitsProcessors.apply(plan.processors(), seq, scores, vocab);
            for (int r = 0; r < rows; r++) {
                float add = beamScores[r];
                int off = r * vocab;
                for (int v = 0; v < vocab; v++) {
                    scores[off + v] += add;
                }
            }
            float[][] candScores = new float[prompts][];
            int[][] candTokens = new int[prompts][];
            int[][] candRows = new int[prompts][];
            for (int b = 0; b < prompts; b++) {
                int off = b * numBeams * vocab;
                int[] picked = c.doSample()
                        ? sampleCandidates(scores, off, numBeams * vocab, candidates, plan)
                        : ScoreMath.topK(scores, off, numBeams * vocab, candidates);
                candScores[b] = new float[picked.length];
                candTokens[b] = new int[picked.length];
                candRows[b] = new int[picked.length];
                for (int i = 0; i < picked.length; i++) {
                    candScores[b][i] = scores[off + picked[i]];
                    candTokens[b][i] = picked[i] % vocab;
                    candRows[b][i] = b * numBeams + picked[i] / vocab;
                }
            }
            boolean[] wasDone = new boolean[prompts];
            for (int b = 0; b < prompts; b++) {
                wasDone[b] = scorer.isDone(b);
            }
            BeamSearchScorer.Step step = scorer.process(seq, candScores, candTokens, candRows, plan.pad(),
                    plan.eos(), plan.promptLength());
            seq.reorder(step.sources());
            seq.append(step.tokens());
            beamScores = step.scores();
            if (scorer.isDone()) {
                break;
            }
            if (seq.length() >= plan.maxLength()) {
                break;
            }
            if (allRowsStop(seq, plan)) {
                stoppedByStrings = plan.stops() != null;
                break;
            }
            // Beams of an already finished prompt keep their own cache rows: their outputs are never used.
            int[] cacheSources = step.sources().clone();
            for (int r = 0; r < rows; r++) {
                if (wasDone[r / numBeams]) {
                    cacheSources[r] = r;
                }
            }
            session.reorder(cacheSources);
            logits = session.step(step.tokens());
        }

        List<GenerationResult> results = new ArrayList<>();
        FinishReason open = stoppedByStrings ? FinishReason.STOP : FinishReason.LENGTH;
        for (BeamSearchScorer.Final f : scorer.finish(seq, beamScores, plan.maxLength(), plan.pad(), plan.eos(),
                plan.promptLength())) {
            BeamHypotheses.Hypothesis h = f.hypothesis();
            int produced = Math.min(h.tokens().length + (h.eos() ? 1 : 0), f.ids().length) - plan.promptLength();
            results.add(new GenerationResult(f.prompt(), f.ids(), plan.promptLength(), produced,
                    h.eos() ? FinishReason.EOS : open, OptionalDouble.of(f.score())));
        }
        return results;
    }

    /**
     * Whether every row meets a stopping criterion other than max_length (checked by the caller): its last token is
     * an eos id or its text reached a stop string. The reference stops beam search only when all rows do.
     */
    private static boolean allRowsStop(Sequences seq, GenerationPlan plan) {
        for (int r = 0; r < seq.rows(); r++) {
            boolean stops = plan.isEos(seq.last(r)) || plan.stops() != null && plan.stops().matches(seq, r);
            if (!stops) {
                return false;
            }
        }
        return true;
    }

    /** Beam sampling: {@code count} distinct candidates drawn from the softmax of the scores, best score first. */
    private static int[] sampleCandidates(float[] scores, int off, int n, int count, GenerationPlan plan) {
        double[] p = ScoreMath.softmax(scores, off, n);
        int available = 0;
        for (double v : p) {
            available += v > 0 ? 1 : 0;
        }
        if (available < count) {
            throw new IllegalArgumentException("beam sampling draws " + count + " distinct candidates per step but "
                    + "only " + available + " tokens have a non-zero probability; loosen top_k / top_p / min_p or "
                    + "lower num_beams");
        }
        double total = 1.0;
        Integer[] picked = new Integer[count];
        for (int i = 0; i < count; i++) {
            int at = ScoreMath.draw(p, total, plan.random());
            picked[i] = at;
            total -= p[at];
            p[at] = 0;
        }
        java.util.Arrays.sort(picked, (x, y) -> Float.compare(scores[off + y], scores[off + x]));
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = picked[i];
        }
        return out;
    }
}
