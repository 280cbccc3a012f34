package dev.idefics4j;

import dev.idefics4j.generation.FinishReason;

import java.util.OptionalDouble;

/**
 * One generated sequence, as the CLI's {@code generate} returns it.
 *
 * @param prompt       index of the prompt it answers
 * @param ids          the row the reference {@code generate} returns: prompt (left padding included) and new tokens
 * @param newIds       the tokens after the prompt (padding after an early finish included)
 * @param text         {@code batch_decode(ids, skip_special_tokens=True)}
 * @param newText      the decoded new tokens, special tokens skipped
 * @param finishReason why it stopped
 * @param score        the beam score ({@code sequences_scores}) for beam search
 * @param produced     how many of {@code newIds} the sequence really produced (its finishing eos included); the rest
 *                     is padding while other rows of the batch went on
 */
public record Completion(int prompt, int[] ids, int[] newIds, String text, String newText, FinishReason finishReason,
                         OptionalDouble score, int produced) {
}
