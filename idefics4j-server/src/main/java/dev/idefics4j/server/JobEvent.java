package dev.idefics4j.server;

import dev.idefics4j.generation.FinishReason;

/** What a running job tells the request that waits for it, in order. */
sealed interface JobEvent {
    /**
     * One generated token of a choice (return sequence).
     *
     * @param text    the text it completes (empty while a character spread over several tokens is incomplete)
     * @param logprob its log-probability, NaN unless asked for
     * @param end     set on the choice's last token: why it ended and its whole text
     */
    record Token(int choice, int id, String text, float logprob, Ending end) implements JobEvent {
    }

    /** The job failed or was refused after it was accepted; no more events follow. */
    record Failed(ApiError error) implements JobEvent {
    }

    /** How a choice ended: its reason, its new tokens, and their text (special tokens skipped). */
    record Ending(FinishReason reason, int[] tokens, String text) {
    }
}
