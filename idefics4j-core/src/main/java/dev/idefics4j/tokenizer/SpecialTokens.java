package dev.idefics4j.tokenizer;

import java.util.List;

/**
 * The named special tokens of a tokenizer, as strings; a token the checkpoint does not define is {@code null}.
 *
 * @param additional the {@code additional_special_tokens}, in their configured order
 */
public record SpecialTokens(String bos, String eos, String unk, String pad, List<String> additional) {
    public SpecialTokens {
        additional = List.copyOf(additional);
    }
}
