package dev.idefics4j.generation;

import dev.idefics4j.model.DecodingState;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;

import java.util.Arrays;
import java.util.List;

/**
 * The model side of a decoding run: each distinct prompt prefilled once (its images encoded once), and then one new
 * token per row and step against the {@link DecodingState}. The attention masks grow here; whatever else the
 * model's family keeps of the prompt travels in the state.
 */
final class DecodingSession {
    private final VisionLanguageModel model;
    private final DecodingState state;
    private int[][] attentionMask;
    private final int vocab;

    private DecodingSession(VisionLanguageModel model, DecodingState state, int[][] attentionMask) {
        this.model = model;
        this.state = state;
        this.attentionMask = attentionMask;
        this.vocab = model.vocabSize();
    }

    /**
     * A session right after its prefill: the last prompt position's logits [rows, vocab] and the decoding rows'
     * token sequences, with room up to {@code capacity}.
     */
    record Prefilled(DecodingSession session, float[] logits, Sequences sequences) {
    }

    /**
     * Prefills every prompt once, then expands to {@code copies} decoding rows per prompt, prompt by prompt as the
     * reference's repeat_interleave (beams and return sequences share their prompt's prefill).
     */
    static Prefilled prefill(VisionLanguageModel model, ModelInputs in, int copies, int capacity) {
        requirePadded(in);
        int prompts = in.batchSize();
        int[] sources = new int[prompts * copies];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = i / copies;
        }
        VisionLanguageModel.Prefill prefill = model.prefill(in, capacity);
        float[] logits = requireFinite(prefill.logits(), "the prompt");
        int vocab = model.vocabSize();
        int rows = sources.length;
        float[] expanded = new float[rows * vocab];
        int[][] mask = new int[rows][];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(logits, sources[i] * vocab, expanded, i * vocab, vocab);
            mask[i] = in.attentionMask()[sources[i]].clone();
        }
        if (!isIdentity(sources, prompts)) {
            prefill.state().reorder(sources);
        }
        return new Prefilled(new DecodingSession(model, prefill.state(), mask), expanded,
                new Sequences(in.inputIds(), sources, capacity));
    }

    /** Prompts of a generation run: rows of one padded length, at least one token. */
    static void requirePadded(ModelInputs in) {
        int length = in.sequenceLength();
        if (length == 0) {
            throw new IllegalArgumentException("input_ids must hold at least one prompt of at least one token");
        }
        for (int b = 0; b < in.batchSize(); b++) {
            if (in.inputIds()[b].length != length) {
                throw new IllegalArgumentException("input_ids and attention_mask rows must all have " + length
                        + " entries (pad the batch); row " + b + " differs");
            }
        }
    }

    int vocab() {
        return vocab;
    }

    int rows() {
        return attentionMask.length;
    }

    /** Runs one new token per row; returns the logits [rows, vocab]. */
    float[] step(int[] tokens) {
        int rows = tokens.length;
        int[][] ids = new int[rows][];
        for (int i = 0; i < rows; i++) {
            ids[i] = new int[]{tokens[i]};
            attentionMask[i] = grown(attentionMask[i]);
        }
        return requireFinite(model.step(state, ids, attentionMask, false), "a new token");
    }

    /**
     * The model's logits, refused when one is NaN or infinite: sampling or argmax over them would pick a token
     * without meaning (all-NaN weights gave an empty answer and success). Checked before any processor, which sets
     * -inf on purpose.
     */
    static float[] requireFinite(float[] logits, String what) {
        for (int i = 0; i < logits.length; i++) {
            if (!Float.isFinite(logits[i])) {
                throw new IllegalStateException("the model's logits for " + what + " are not finite (" + logits[i]
                        + " at index " + i + "): the checkpoint's weights or the image's pixel values hold NaN or "
                        + "infinity, or the computation overflowed");
            }
        }
        return logits;
    }

    private static int[] grown(int[] mask) {
        int[] m = Arrays.copyOf(mask, mask.length + 1);
        m[m.length - 1] = 1;
        return m;
    }

    /**
     * Each row as a one-row session of its own (its cache rows move there; this session is not used afterwards), so
     * that rows can be decoded independently and batched with other requests' rows.
     */
    List<DecodingSession> split() {
        List<DecodingState> states = state.splitRows();
        List<DecodingSession> out = new java.util.ArrayList<>(states.size());
        for (int i = 0; i < states.size(); i++) {
            out.add(new DecodingSession(model, states.get(i), new int[][]{attentionMask[i]}));
        }
        return out;
    }

    /**
     * One new token for each of several one-row sessions (of any lengths) in one model call; returns the logits
     * [sessions, vocab], each row equal to what {@link #step} of that session alone returns.
     */
    static float[] stepSequences(List<DecodingSession> sessions, int[] tokens) {
        int n = sessions.size();
        List<DecodingState> states = new java.util.ArrayList<>(n);
        int[][] masks = new int[n][];
        for (int i = 0; i < n; i++) {
            DecodingSession s = sessions.get(i);
            if (s.rows() != 1) {
                throw new IllegalArgumentException("stepSequences takes one-row sessions; split the others");
            }
            s.attentionMask[0] = grown(s.attentionMask[0]);
            states.add(s.state);
            masks[i] = s.attentionMask[0];
        }
        return requireFinite(sessions.getFirst().model.stepSequences(states, tokens, masks), "a new token");
    }

    /**
     * Runs several continuations of this one-row session's prompt as one batch: the row (KV cache included) is
     * copied per continuation, which then feeds all but its last token, right-padded with masked tokens to
     * {@code width}. Returns the logits of every position, [continuations, width, vocab].
     */
    float[] forwardContinuations(List<int[]> continuations, int width) {
        int n = continuations.size();
        reorder(new int[n]);
        int[][] ids = new int[n][width];
        int[][] mask = new int[n][];
        for (int i = 0; i < n; i++) {
            int[] c = continuations.get(i);
            int past = attentionMask[i].length;
            mask[i] = Arrays.copyOf(attentionMask[i], past + width);
            for (int j = 0; j < width; j++) {
                boolean real = j < c.length - 1;
                ids[i][j] = real ? c[j] : 0;
                mask[i][past + j] = real ? 1 : 0;
            }
        }
        attentionMask = mask;
        return model.step(state, ids, mask, true);
    }

    /** Row i continues old row {@code sources[i]} (beam search); the state and masks follow. */
    void reorder(int[] sources) {
        if (isIdentity(sources, attentionMask.length)) {
            return;
        }
        state.reorder(sources);
        int[][] mask = new int[sources.length][];
        for (int i = 0; i < sources.length; i++) {
            mask[i] = attentionMask[sources[i]];
        }
        attentionMask = mask;
    }

    private static boolean isIdentity(int[] sources, int rows) {
        if (sources.length != rows) {
            return false;
        }
        for (int i = 0; i < sources.length; i++) {
            if (sources[i] != i) {
                return false;
            }
        }
        return true;
    }
}
