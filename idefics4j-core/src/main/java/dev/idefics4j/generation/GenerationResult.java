package dev.idefics4j.generation;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * One returned sequence of a {@code generate} call. Results come prompt by prompt, then by return sequence (best
 * beam first), as the reference's {@code sequences} rows.
 *
 * @param prompt       index of the prompt in the batch
 * @param ids          the full row as the reference returns it: (left-padded) prompt, new tokens, and
 *                     {@code pad_token_id} after the sequence finished while others went on
 * @param promptLength length of the padded prompt, where the new tokens start
 * @param produced     how many new tokens the sequence really produced (its finishing eos included)
 * @param score        the beam score ({@code sequences_scores}) for beam search, empty otherwise
 */
public record GenerationResult(int prompt, int[] ids, int promptLength, int produced, FinishReason finishReason,
                               OptionalDouble score) {

    /** Everything after the prompt, padding included (the reference's {@code sequences[:, prompt_length:]}). */
    public int[] newIds() {
        return Arrays.copyOfRange(ids, promptLength, ids.length);
    }

    /** The new tokens without the padding that follows the finish. */
    public int[] producedIds() {
        return Arrays.copyOfRange(ids, promptLength, promptLength + produced);
    }

    @Override
    public String toString() {
        return "GenerationResult{prompt=" + prompt + ", ids=" + Arrays.toString(ids) + ", promptLength="
                + promptLength + ", produced=" + produced + ", finishReason=" + finishReason + ", score=" + score + '}';
    }
}
