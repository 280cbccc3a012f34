package dev.idefics4j.spark;

/**
 * One generated sequence as the {@code batch} command writes it for the request alone.
 *
 * @param ids          the prompt (with the padding its own prompts need) and the new tokens
 * @param newIds       the new tokens
 * @param score        the beam score for beam search; null otherwise
 */
record SequenceResult(int[] ids, int[] newIds, String text, String newText, String finishReason, Double score) {
}
