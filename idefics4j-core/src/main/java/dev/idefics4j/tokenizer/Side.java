package dev.idefics4j.tokenizer;

/** The end of a sequence that padding is added to, or that truncation removes tokens from. */
public enum Side {
    LEFT,
    RIGHT;

    static Side parse(String value, String file, String field) {
        return switch (value) {
            case "left" -> LEFT;
            case "right" -> RIGHT;
            default -> throw new TokenizerException(file + ": " + field + " must be \"left\" or \"right\", not \"" + value + "\"");
        };
    }
}
