package dev.idefics4j.generation;

import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A {@link GenerationConfig} resolved against one call's prompt, model and tokenizer: the effective length limits,
 * special tokens, bad words, logits processors and stopping criteria. Settings that cannot work with this prompt or
 * model are rejected here by parameter name.
 *
 * @param pad         the id written after a row finished ({@code pad_token_id}, else the first eos id)
 * @param padFinished whether finished rows are padded; the reference pads only when an eos id is set
 * @param stops       the stop-strings criterion, or null
 * @param random      the sampling random numbers, or null without sampling
 */
record GenerationPlan(GenerationConfig config, int promptLength, int maxLength, int[] eos, int pad,
                      boolean padFinished, List<LogitsProcessor> processors, StopStrings stops,
                      SplittableRandom random) {

    static GenerationPlan resolve(GenerationConfig c, ModelInputs in, VisionLanguageModel model,
                                  GenerationTokenizer tokenizer) {
        return resolve(c, in, model.vocabSize(), model.maxPositionEmbeddings(), model.kvCacheLayout(), tokenizer);
    }

    static GenerationPlan resolve(GenerationConfig c, ModelInputs in, int vocab, int maxPositions,
                                  KvCache.Layout cache, GenerationTokenizer tokenizer) {
        DecodingSession.requirePadded(in);
        int promptLength = in.sequenceLength();
        int maxLength = c.effectiveMaxLength(promptLength);
        if (promptLength >= maxLength) {
            throw new IllegalArgumentException("the prompt already has " + promptLength + " tokens and max_length is "
                    + maxLength + "; raise max_length or set max_new_tokens");
        }
        requireRoom(c, in.batchSize(), promptLength, maxLength, vocab, maxPositions, cache);
        for (int[] row : in.inputIds()) {
            for (int id : row) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("input_ids holds token " + id + ", outside the model's "
                            + "vocabulary of " + vocab + " tokens");
                }
            }
        }
        int[] eos = c.eosTokenId();
        Integer pad = c.padTokenId() != null ? c.padTokenId() : eos != null ? Integer.valueOf(eos[0]) : null;
        if (pad != null && pad >= vocab) {
            throw new IllegalArgumentException("pad_token_id (" + pad + ") is outside the model's vocabulary of "
                    + vocab + " tokens");
        }
        List<int[]> badWords = badWords(c, tokenizer, vocab);
        StopStrings stops = null;
        if (c.stop() != null && !c.stop().isEmpty()) {
            stops = new StopStrings(c.stop(), requireTokenizer(tokenizer, "stop"));
        }
        List<LogitsProcessor> processors = LogitsProcessors.build(c, promptLength, eos, badWords);
        SplittableRandom random = !c.doSample() ? null
                : c.seed() != null ? new SplittableRandom(c.seed()) : new SplittableRandom();
        return new GenerationPlan(c, promptLength, maxLength, eos, pad == null ? 0 : pad, eos != null, processors,
                stops, random);
    }

    /** {@code bad_words_ids} plus the ids of {@code bad_words}; null when neither is set. */
    private static List<int[]> badWords(GenerationConfig c, GenerationTokenizer tokenizer, int vocab) {
        if (c.badWordsIds() == null && c.badWords() == null) {
            return null;
        }
        List<int[]> all = new ArrayList<>();
        if (c.badWordsIds() != null) {
            all.addAll(c.badWordsIds());
        }
        if (c.badWords() != null) {
            GenerationTokenizer tok = requireTokenizer(tokenizer, "bad_words");
            for (String word : c.badWords()) {
                int[] ids = tok.encode(word);
                if (ids.length == 0) {
                    throw new IllegalArgumentException("bad_words entry \"" + word + "\" encodes to no tokens");
                }
                all.add(ids);
            }
        }
        for (int[] seq : all) {
            for (int id : seq) {
                if (id >= vocab) {
                    throw new IllegalArgumentException("bad_words_ids holds token " + id
                            + ", outside the model's vocabulary of " + vocab + " tokens");
                }
            }
        }
        return all;
    }

    /**
     * Refuses, before anything is allocated, a run longer than the model's positions (the KV cache is allocated for
     * the whole length up front), one whose rows' scores do not fit in an array or in half this JVM's heap (each row
     * holds a vocabulary's scores: {@code num_beams} or {@code num_return_sequences} of 2^31 - 1 overflowed), and
     * one whose KV cache and scores exceed the heap not in use now. That bound counts garbage not yet collected as
     * used, so it errs towards refusing; weights are memory-mapped and take no heap.
     */
    private static void requireRoom(GenerationConfig c, int prompts, int promptLength, long maxLength, int vocab,
                                    int maxPositions, KvCache.Layout cache) {
        String length = c.maxNewTokens() != null ? "max_new_tokens " + c.maxNewTokens() + " after a prompt of "
                + promptLength + " tokens" : "max_length " + maxLength;
        if (maxLength > maxPositions) {
            throw new IllegalArgumentException(length + " runs past the model's " + maxPositions + " positions "
                    + "(max_position_embeddings, or a shorter sliding_window); ask for at most "
                    + (maxPositions - promptLength) + " new tokens");
        }
        String rowsName = c.numBeams() > 1 ? "num_beams" : "num_return_sequences";
        long perPrompt = Math.max(c.numBeams(), c.numReturnSequences());
        long rows = prompts * perPrompt;
        long scores = rows * vocab;
        // The scores of every row, twice (logits and processed scores), and each row's token ids.
        long bytes = 2 * scores * Float.BYTES + rows * maxLength * Integer.BYTES;
        Runtime runtime = Runtime.getRuntime();
        long heap = runtime.maxMemory();
        if (scores > Integer.MAX_VALUE - 8 || bytes > heap / 2) {
            throw new IllegalArgumentException(rowsName + " " + perPrompt + " for " + prompts + " prompt(s) means "
                    + rows + " rows of " + vocab + " scores, " + mib(bytes) + " MiB before the model's own "
                    + "memory, more than half of this JVM's heap (" + mib(heap) + " MiB, -Xmx); ask for fewer");
        }
        long kv = rows * maxLength * cache.bytesPerPosition();
        long used = runtime.totalMemory() - runtime.freeMemory();
        long free = heap - used;
        if (kv + bytes > free) {
            throw new IllegalArgumentException(rowsName + " " + perPrompt + " for " + prompts + " prompt(s) with "
                    + length + ": " + rows + " sequences of " + maxLength + " positions need a KV cache of "
                    + mib(kv) + " MiB (" + cache.bytesPerPosition() + " bytes per position: " + cache.describe()
                    + ") and " + mib(bytes) + " MiB of scores, more than the " + mib(free) + " MiB this JVM's heap "
                    + "has free (-Xmx " + mib(heap) + " MiB, " + mib(used) + " MiB in use); ask for fewer sequences "
                    + "or new tokens" + (cache.bf16() ? "" : ", keep the cache in bfloat16 (half the bytes)")
                    + " or give the JVM more heap");
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }

    private static GenerationTokenizer requireTokenizer(GenerationTokenizer tokenizer, String parameter) {
        if (tokenizer == null) {
            throw new IllegalArgumentException(parameter + " needs a tokenizer: create the Generator with one");
        }
        return tokenizer;
    }

    boolean isEos(int token) {
        return NoBadWordsProcessor.contains(eos, token);
    }

    /** The next token from a row's processed scores: argmax, or a draw from their softmax when sampling. */
    int choose(float[] scores, int off, int vocab) {
        if (!config.doSample()) {
            return ScoreMath.argmax(scores, off, vocab);
        }
        return ScoreMath.draw(ScoreMath.softmax(scores, off, vocab), 1.0, random);
    }

    /** Why a row ends with the token just appended to it, or null while it goes on. */
    FinishReason finishReason(Sequences seq, int row, int token) {
        return isEos(token) ? FinishReason.EOS
                : stops != null && stops.matches(seq, row) ? FinishReason.STOP
                : seq.length() >= maxLength ? FinishReason.LENGTH : null;
    }
}
