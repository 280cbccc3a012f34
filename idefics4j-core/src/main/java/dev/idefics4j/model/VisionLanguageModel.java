package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.processor.ModelInputs;

import java.util.List;
import java.util.Map;

/**
 * A vision-language model as generation drives it, whatever its family: prefill a batch of prompts with their
 * images, then run new tokens against the {@link DecodingState} the prefill made (a batch's rows together, or many
 * one-row states of independent requests in one call). How the images reach the decoder (IDEFICS v1's gated
 * cross-attention at every step, Idefics3's image states in place of the {@code <image>} embeddings at prefill) is
 * the family's business, kept in the state's {@link DecodingState.PromptState}.
 */
public interface VisionLanguageModel extends AutoCloseable {

    /** Width of the logits: every token the model can emit. */
    int vocabSize();

    /**
     * The most positions a sequence may hold: the text decoder's {@code max_position_embeddings}, or fewer where the
     * family runs no more at parity (Idefics2: Mistral's {@code sliding_window}).
     */
    int maxPositionEmbeddings();

    /** What a {@link #prefill}'s cache holds per sequence and position, as the model is now set (float32 or bf16). */
    KvCache.Layout kvCacheLayout();

    /** The memory-mapped weights it reads. */
    Checkpoint checkpoint();

    /** Its shape as {@code inspect} reports it: {@code model_type}, sizes and depths by the reference's names. */
    Map<String, Object> describe();

    /**
     * Encodes the images the prompts attend to and runs every prompt (rows of equal, padded length) into a fresh
     * cache with room for {@code capacity} positions.
     *
     * @param inputs images of this model's family, or none
     * @return the state of the prompts' rows and the logits of each row's last position, [rows, vocab]
     */
    Prefill prefill(ModelInputs inputs, int capacity);

    /**
     * Runs new tokens after the state's cached ones; each new token sees the images the prompt's last token saw.
     *
     * @param inputIds      [rows][tokens], rows as in the state
     * @param attentionMask [rows][cached + tokens], 1 for real tokens, 0 for padding
     * @param allPositions  logits for every new token, else for the last one of each row only
     * @return logits, [rows, tokens or 1, vocab]
     */
    float[] step(DecodingState state, int[][] inputIds, int[][] attentionMask, boolean allPositions);

    /**
     * One new token for each of several one-row states (of any lengths) in one call: the weights are read once for
     * all, attention runs per sequence against its own cache. Row i equals {@link #step} of that state alone, so
     * requests can join and leave a running batch (continuous batching).
     *
     * @param attentionMasks per state, [cached + 1]
     * @return logits, [states, vocab]
     */
    float[] stepSequences(List<DecodingState> states, int[] tokens, int[][] attentionMasks);

    @Override
    void close();

    /** A prefilled batch: its state and the logits of each row's last prompt position, [rows, vocab]. */
    record Prefill(DecodingState state, float[] logits) {
    }
}
