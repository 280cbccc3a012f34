package dev.idefics4j.processor;

import dev.idefics4j.tokenizer.EncodeOptions;
import dev.idefics4j.tokenizer.Padding;

/**
 * The call options of the Idefics2 and Idefics3 processors under the reference's names: {@code padding}
 * ("longest" by default, so that a batch is one tensor; the reference's own default, no padding, fails on rows of
 * different lengths), {@code max_length}, {@code truncation}, {@code add_special_tokens}, and the image processor's
 * {@code do_image_splitting} and {@code do_resize} (null: the preprocessor config's value).
 */
public record ProcessingOptions(Padding padding, Integer maxLength, boolean truncation, boolean addSpecialTokens,
                                Boolean doImageSplitting, Boolean doResize) {

    public static final ProcessingOptions DEFAULTS = new ProcessingOptions(Padding.LONGEST, null, false, true, null,
            null);

    public ProcessingOptions {
        ProcessorOptions.checkPadding(padding, maxLength);
    }

    /** The tokenizer call these options make. */
    public EncodeOptions encodeOptions() {
        return new EncodeOptions(addSpecialTokens, padding, truncation,
                maxLength == null ? EncodeOptions.UNSET : maxLength);
    }

    public ProcessingOptions withPadding(Padding value) {
        return new ProcessingOptions(value, maxLength, truncation, addSpecialTokens, doImageSplitting, doResize);
    }

    public ProcessingOptions withMaxLength(Integer value) {
        return new ProcessingOptions(padding, value, truncation, addSpecialTokens, doImageSplitting, doResize);
    }

    public ProcessingOptions withTruncation(boolean value) {
        return new ProcessingOptions(padding, maxLength, value, addSpecialTokens, doImageSplitting, doResize);
    }

    public ProcessingOptions withAddSpecialTokens(boolean value) {
        return new ProcessingOptions(padding, maxLength, truncation, value, doImageSplitting, doResize);
    }

    public ProcessingOptions withImageSplitting(Boolean value) {
        return new ProcessingOptions(padding, maxLength, truncation, addSpecialTokens, value, doResize);
    }

    public ProcessingOptions withResize(Boolean value) {
        return new ProcessingOptions(padding, maxLength, truncation, addSpecialTokens, doImageSplitting, value);
    }
}
