package dev.idefics4j.processor;

import dev.idefics4j.tokenizer.EncodeOptions;
import dev.idefics4j.tokenizer.Padding;

/**
 * A processor call's options under the reference names, for every family: {@code padding} ("longest" by default,
 * so that a batch is one tensor; "max_length", or none), {@code max_length}, {@code truncation}; IDEFICS v1's
 * {@code add_eos_token} and {@code add_end_of_utterance_token} (null: true exactly when the tokenizer lists
 * {@code <end_of_utterance>} among its additional special tokens); the Idefics2/Idefics3 processors'
 * {@code add_special_tokens} (null: true) and their image processor's {@code do_image_splitting} and
 * {@code do_resize} (null: the preprocessor config's value). A processor refuses a value it cannot honour, naming it.
 */
public record ProcessorOptions(Padding padding, Integer maxLength, boolean truncation, boolean addEosToken,
                               Boolean addEndOfUtteranceToken, Boolean addSpecialTokens, Boolean doImageSplitting,
                               Boolean doResize) {

    /** Truncation without max_length cuts at the tokenizer's model_max_length, as the reference. */
    public static final ProcessorOptions DEFAULTS = new ProcessorOptions(Padding.LONGEST, null, false, false, null,
            null, null, null);

    public ProcessorOptions {
        if (padding == null) {
            throw new IllegalArgumentException("padding must be longest, max_length or none");
        }
        if (maxLength != null && maxLength < 1) {
            throw new IllegalArgumentException("max_length must be positive, got " + maxLength);
        }
        if (padding == Padding.MAX_LENGTH && maxLength == null) {
            throw new IllegalArgumentException("padding=\"max_length\" needs max_length");
        }
    }

    /** The tokenizer call of a processor that tokenizes its prompt strings with these options. */
    public EncodeOptions encodeOptions() {
        return new EncodeOptions(addSpecialTokens == null || addSpecialTokens, padding, truncation,
                maxLength == null ? EncodeOptions.UNSET : maxLength);
    }

    public ProcessorOptions withPadding(Padding value) {
        return new ProcessorOptions(value, maxLength, truncation, addEosToken, addEndOfUtteranceToken,
                addSpecialTokens, doImageSplitting, doResize);
    }

    public ProcessorOptions withMaxLength(Integer value) {
        return new ProcessorOptions(padding, value, truncation, addEosToken, addEndOfUtteranceToken,
                addSpecialTokens, doImageSplitting, doResize);
    }

    public ProcessorOptions withTruncation(boolean value) {
        return new ProcessorOptions(padding, maxLength, value, addEosToken, addEndOfUtteranceToken,
                addSpecialTokens, doImageSplitting, doResize);
    }

    public ProcessorOptions withAddEosToken(boolean value) {
        return new ProcessorOptions(padding, maxLength, truncation, value, addEndOfUtteranceToken,
                addSpecialTokens, doImageSplitting, doResize);
    }

    public ProcessorOptions withAddEndOfUtteranceToken(Boolean value) {
        return new ProcessorOptions(padding, maxLength, truncation, addEosToken, value,
                addSpecialTokens, doImageSplitting, doResize);
    }

    public ProcessorOptions withAddSpecialTokens(Boolean value) {
        return new ProcessorOptions(padding, maxLength, truncation, addEosToken, addEndOfUtteranceToken,
                value, doImageSplitting, doResize);
    }

    public ProcessorOptions withImageSplitting(Boolean value) {
        return new ProcessorOptions(padding, maxLength, truncation, addEosToken, addEndOfUtteranceToken,
                addSpecialTokens, value, doResize);
    }

    public ProcessorOptions withResize(Boolean value) {
        return new ProcessorOptions(padding, maxLength, truncation, addEosToken, addEndOfUtteranceToken,
                addSpecialTokens, doImageSplitting, value);
    }

    /**
     * Fails naming {@code option} when a processor cannot honour the value asked for.
     *
     * @param honoured whether the processor does what the option asks
     * @param why      what the processor does instead
     */
    public static void require(boolean honoured, String option, Object value, String why) {
        if (!honoured) {
            throw new IllegalArgumentException(option + "=" + value + " cannot be honoured: " + why);
        }
    }

    /**
     * Refuses IDEFICS v1's text options in a processor whose prompts come from a chat template ({@code family}'s
     * Idefics2 or Idefics3 processor): it adds what the tokenizer's template adds and writes no
     * {@code <end_of_utterance>} between text items.
     */
    public void requireNoIdeficsTextOptions(String family) {
        require(!addEosToken, "add_eos_token", true,
                family + "'s processor adds what the tokenizer's template adds (add_special_tokens)");
        require(!Boolean.TRUE.equals(addEndOfUtteranceToken), "add_end_of_utterance_token", true,
                family + "'s processor writes no <end_of_utterance> between text items; the chat template ends "
                        + "each turn with it");
    }

    /** "longest", "max_length", "do_not_pad"/"none"/false, as the reference accepts them. */
    public static Padding parsePadding(String value) {
        return switch (value.toLowerCase()) {
            case "longest", "true" -> Padding.LONGEST;
            case "max_length" -> Padding.MAX_LENGTH;
            case "do_not_pad", "none", "false" -> Padding.NONE;
            default -> throw new IllegalArgumentException("padding must be \"longest\", \"max_length\" or "
                    + "\"do_not_pad\", not \"" + value + "\"");
        };
    }
}
