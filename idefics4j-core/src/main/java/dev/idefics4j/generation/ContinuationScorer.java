package dev.idefics4j.generation;

import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores candidate continuations of one prompt (ranking answers, multiple choice): the images are encoded and the
 * prompt prefilled once; its KV cache is then copied to one row per candidate and all candidates run as one batch,
 * right-padded (causal attention keeps the padding away from the real tokens). Each continuation token attends to
 * the image(s) of the prompt's last token, as generated tokens do.
 */
public final class ContinuationScorer {
    private ContinuationScorer() {
    }

    /**
     * @param prompt        a single prompt (one row)
     * @param continuations token ids to score after the prompt, each at least one token long
     * @return one score per continuation, in order
     */
    public static List<ContinuationScore> score(VisionLanguageModel model, ModelInputs prompt,
                                                List<int[]> continuations) {
        if (prompt.batchSize() != 1) {
            throw new IllegalArgumentException("score takes one prompt, got a batch of " + prompt.batchSize());
        }
        int vocab = model.vocabSize();
        int longest = 0;
        for (int[] c : continuations) {
            if (c == null || c.length == 0) {
                throw new IllegalArgumentException("every continuation needs at least one token");
            }
            for (int id : c) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("continuation token " + id + " is outside the vocabulary of "
                            + vocab + " tokens");
                }
            }
            longest = Math.max(longest, c.length);
        }
        if (continuations.isEmpty()) {
            return List.of();
        }
        DecodingSession.Prefilled start = DecodingSession.prefill(model, prompt, 1, prompt.sequenceLength() + longest);
        float[] first = start.logits();
        int n = continuations.size();
        // Position j of continuation i is predicted by its position j - 1; the last token needs no forward.
        int width = longest - 1;
        float[] rest = width == 0 ? null : start.session().forwardContinuations(continuations, width);
        List<ContinuationScore> out = new ArrayList<>(n);
        float[] logSoftmax = new float[vocab];
        for (int i = 0; i < n; i++) {
            int[] c = continuations.get(i);
            float[] lp = new float[c.length];
            double total = 0;
            for (int j = 0; j < c.length; j++) {
                float[] logits = j == 0 ? first : rest;
                int off = j == 0 ? 0 : (i * width + j - 1) * vocab;
                ScoreMath.logSoftmax(logits, off, vocab, logSoftmax, 0);
                lp[j] = logSoftmax[c[j]];
                total += lp[j];
            }
            out.add(new ContinuationScore(c.clone(), lp, total));
        }
        return out;
    }
}
