package dev.idefics4j.processor;

import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.tokenizer.Tokenizer;

import java.util.List;

/**
 * A family's processor: prompts (text and image items) → {@link ModelInputs} its model reads, with the checkpoint's
 * tokenizer. What the tasks need to know of the prompt format is asked here, never assumed.
 */
public interface Processor {
    Tokenizer tokenizer();

    ImageLoader imageLoader();

    /** A batch of prompts, padded together as the options say. */
    ModelInputs process(List<List<PromptItem>> prompts, ProcessorOptions options);

    /** A single prompt with default options. */
    default ModelInputs process(List<PromptItem> prompt) {
        return process(List.of(prompt), ProcessorOptions.DEFAULTS);
    }

    /**
     * Token ids back to text as the reference processor's {@code batch_decode} does it for one row (the tokenizer's
     * decode, and whatever the family folds back into the prompt's own form).
     */
    default String decode(int[] ids, boolean skipSpecialTokens) {
        return tokenizer().decode(ids, skipSpecialTokens);
    }

    /** Each token of the prompt format's image markup (IDEFICS: {@code <image>}, {@code <fake_token_around_image>}). */
    List<Integer> imageMarkupTokenIds();

    /** What {@code <end_of_utterance>}, the end of a chat turn, encodes to (one token in instruct checkpoints). */
    int[] endOfUtteranceIds();

    /** Whether this is an instruct checkpoint, trained with {@code <end_of_utterance>} after each turn. */
    boolean instruct();
}
