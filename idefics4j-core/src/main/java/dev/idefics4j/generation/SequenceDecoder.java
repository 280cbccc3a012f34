package dev.idefics4j.generation;

import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One prompt's greedy or sampling decoding, advanced a token at a time from outside, so that independent requests
 * can share each step's model call (continuous batching). {@link #start} encodes the prompt's images and prefills it
 * once for all its return sequences; {@link #step} then advances any set of decoders (of different requests, started
 * at different steps, of different lengths) by one token each in a single batched forward, each against its own KV
 * cache. A decoder produces what {@link Generator#generate} produces for its prompt alone: the same tokens for
 * greedy search, and the same draws for seeded sampling as long as the return sequences of one start are stepped
 * together and in their order. Not thread-safe: one thread drives a set of decoders.
 */
public final class SequenceDecoder {
    private final GenerationPlan plan;
    private final DecodingSession session;
    private final Sequences seq;
    private final int vocab;
    private float[] pending;
    private int produced;
    private FinishReason reason;
    private boolean logprobs;
    private float lastLogprob = Float.NaN;

    private SequenceDecoder(GenerationPlan plan, DecodingSession session, Sequences seq, float[] prefillLogits) {
        this.plan = plan;
        this.session = session;
        this.seq = seq;
        this.vocab = session.vocab();
        this.pending = prefillLogits;
    }

    /**
     * Resolves {@code config} against the one prompt of {@code in}, encodes its images and prefills it; returns
     * {@code num_return_sequences} decoders sharing that prefill (and, when sampling, one random stream). No token
     * is chosen yet: the first {@link #step} picks each decoder's first token from the prefill.
     *
     * @throws IllegalArgumentException for more than one prompt, beam search, or settings the prompt cannot take
     */
    public static List<SequenceDecoder> start(VisionLanguageModel model, GenerationTokenizer tokenizer, ModelInputs in,
                                              GenerationConfig config) {
        if (in.batchSize() != 1) {
            throw new IllegalArgumentException("a SequenceDecoder takes one prompt, got " + in.batchSize());
        }
        if (config.numBeams() > 1) {
            throw new IllegalArgumentException("beam search (num_beams " + config.numBeams() + ") cannot be decoded "
                    + "step by step: beams are only final at the end; use Generator.generate");
        }
        GenerationPlan plan = GenerationPlan.resolve(config, in, model, tokenizer);
        int copies = config.numReturnSequences();
        DecodingSession.Prefilled prefilled = DecodingSession.prefill(model, in, copies, plan.maxLength());
        List<DecodingSession> sessions = copies == 1 ? List.of(prefilled.session()) : prefilled.session().split();
        int vocab = model.vocabSize();
        List<SequenceDecoder> out = new ArrayList<>(copies);
        for (int i = 0; i < copies; i++) {
            float[] logits = Arrays.copyOfRange(prefilled.logits(), i * vocab, (i + 1) * vocab);
            out.add(new SequenceDecoder(plan, sessions.get(i), new Sequences(in.inputIds(), new int[]{0},
                    plan.maxLength()), logits));
        }
        return out;
    }

    /**
     * Advances every unfinished decoder of {@code decoders} by one token: one model call for those past their first
     * token, then each picks its next token in list order. Finished decoders are skipped; callers drop them (and
     * cancelled ones) from the list whenever they like.
     */
    public static void step(List<SequenceDecoder> decoders) {
        List<SequenceDecoder> forward = new ArrayList<>(decoders.size());
        for (SequenceDecoder d : decoders) {
            if (!d.finished() && d.pending == null) {
                forward.add(d);
            }
        }
        if (!forward.isEmpty()) {
            List<DecodingSession> sessions = new ArrayList<>(forward.size());
            int[] tokens = new int[forward.size()];
            for (int i = 0; i < tokens.length; i++) {
                sessions.add(forward.get(i).session);
                tokens[i] = forward.get(i).lastToken();
            }
            float[] logits = DecodingSession.stepSequences(sessions, tokens);
            for (int i = 0; i < tokens.length; i++) {
                SequenceDecoder d = forward.get(i);
                d.pending = Arrays.copyOfRange(logits, i * d.vocab, (i + 1) * d.vocab);
            }
        }
        for (SequenceDecoder d : decoders) {
            if (!d.finished()) {
                d.choose();
            }
        }
    }

    private void choose() {
        float[] scores = pending;
        pending = null;
        LogitsProcessors.apply(plan.processors(), seq, scores, vocab);
        int token = plan.choose(scores, 0, vocab);
        if (logprobs) {
            float[] lp = new float[vocab];
            ScoreMath.logSoftmax(scores, 0, vocab, lp, 0);
            lastLogprob = lp[token];
        }
        seq.append(new int[]{token});
        produced++;
        reason = plan.finishReason(seq, 0, token);
    }

    /** Also compute the log-probability of each chosen token (under the processed scores), for reporting. */
    public void recordLogprobs(boolean value) {
        this.logprobs = value;
    }

    /** The log-probability of the last chosen token; NaN unless {@link #recordLogprobs} is on. */
    public float lastLogprob() {
        return lastLogprob;
    }

    public boolean finished() {
        return reason != null;
    }

    /** Why it ended, or null while it goes on. */
    public FinishReason finishReason() {
        return reason;
    }

    public int promptLength() {
        return plan.promptLength();
    }

    /** How many tokens it has produced so far. */
    public int produced() {
        return produced;
    }

    /** The last token chosen; only valid after the first {@link #step}. */
    public int lastToken() {
        if (produced == 0) {
            throw new IllegalStateException("no token chosen yet: step first");
        }
        return seq.last(0);
    }

    /** The tokens produced so far. */
    public int[] newTokens() {
        return seq.copy(0, plan.promptLength());
    }

    /** The sequence as {@code generate} returns it (prompt, then the produced tokens). */
    public GenerationResult result() {
        return new GenerationResult(0, seq.copy(0, 0), plan.promptLength(), produced, reason, OptionalDouble.empty());
    }
}
