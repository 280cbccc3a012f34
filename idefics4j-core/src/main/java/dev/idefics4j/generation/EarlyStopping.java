package dev.idefics4j.generation;

/**
 * When beam search stops, as the reference's {@code early_stopping} (True / False / "never"): every batch entry is
 * done once it holds {@code num_beams} finished hypotheses and, except for {@link #TRUE}, no open beam can still beat
 * the worst of them.
 */
public enum EarlyStopping {
    /** {@code early_stopping=False}: the open beams' best possible score is estimated from the current length. */
    FALSE,
    /** {@code early_stopping=True}: stop as soon as {@code num_beams} hypotheses are finished. */
    TRUE,
    /** {@code early_stopping="never"}: stop only when no better hypothesis is possible (canonical beam search). */
    NEVER;

    /** The reference spelling: {@code true}, {@code false} or {@code "never"}. */
    public String referenceName() {
        return switch (this) {
            case FALSE -> "false";
            case TRUE -> "true";
            case NEVER -> "never";
        };
    }
}
