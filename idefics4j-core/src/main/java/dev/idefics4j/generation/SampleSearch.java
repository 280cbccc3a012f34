package dev.idefics4j.generation;

import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Greedy search and multinomial sampling, one token per row and step (the reference's {@code _sample}): the
 * processed scores pick the next token (argmax, or a draw from their softmax), rows that finished get
 * {@code pad_token_id}, and generation ends when every row has finished or {@code max_length} is reached.
 */
final class SampleSearch {
    private SampleSearch() {
    }

    static List<GenerationResult> run(VisionLanguageModel model, ModelInputs in, GenerationPlan plan,
                                      GenerationListener listener) {
        GenerationConfig c = plan.config();
        int copies = c.numReturnSequences();
        DecodingSession.Prefilled prefilled = DecodingSession.prefill(model, in, copies, plan.maxLength());
        DecodingSession session = prefilled.session();
        float[] logits = prefilled.logits();
        Sequences seq = prefilled.sequences();
        int vocab = session.vocab();
        int rows = session.rows();

        boolean[] finished = new boolean[rows];
        FinishReason[] reasons = new FinishReason[rows];
        int[] produced = new int[rows];
        int[] next = new int[rows];
        for (int step = 0; ; step++) {
            LogitsProcessors.apply(plan.processors(), seq, logits, vocab);
            if (listener != null) {
                listener.onScores(step, logits, vocab);
            }
            for (int r = 0; r < rows; r++) {
                if (finished[r] && plan.padFinished()) {
                    next[r] = plan.pad();
                } else {
                    next[r] = plan.choose(logits, r * vocab, vocab);
                }
            }
            seq.append(next);
            boolean all = true;
            for (int r = 0; r < rows; r++) {
                if (!finished[r]) {
                    produced[r]++;
                    reasons[r] = plan.finishReason(seq, r, next[r]);
                    finished[r] = reasons[r] != null;
                }
                all &= finished[r];
            }
            if (listener != null) {
                listener.onTokens(step, next.clone(), finished.clone());
            }
            if (all) {
                break;
            }
            logits = session.step(next);
        }

        List<GenerationResult> results = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            results.add(new GenerationResult(r / copies, seq.copy(r, 0), plan.promptLength(), produced[r],
                    reasons[r], OptionalDouble.empty()));
        }
        return results;
    }
}
