package dev.idefics4j.generation;

/** Why a returned sequence ended. */
public enum FinishReason {
    /** It produced one of the {@code eos_token_id}s. */
    EOS("eos"),
    /** It reached {@code max_new_tokens} / {@code max_length}. */
    LENGTH("length"),
    /** Its text reached one of the {@code stop} strings. */
    STOP("stop");

    private final String label;

    FinishReason(String label) {
        this.label = label;
    }

    /** {@code "eos"}, {@code "length"} or {@code "stop"}. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
