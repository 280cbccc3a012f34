package dev.idefics4j.tokenizer;

import java.util.List;

/**
 * tokenizers' {@code Digits} pre-tokenizer: numeric characters (Rust's {@code char::is_numeric}, general categories
 * Nd, Nl and No) are cut from the rest, each on its own with {@code individual_digits}, else in runs.
 */
final class DigitsPreTokenizer implements PreTokenizer {
    private final boolean individualDigits;

    DigitsPreTokenizer(boolean individualDigits) {
        this.individualDigits = individualDigits;
    }

    @Override
    public void split(String text, List<String> out) {
        int pieceStart = 0;
        boolean pieceNumeric = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            boolean numeric = RegexChars.kind(cp) == RegexChars.NUMBER;
            if (i > pieceStart && (numeric != pieceNumeric || numeric && individualDigits)) {
                out.add(text.substring(pieceStart, i));
                pieceStart = i;
            }
            pieceNumeric = numeric;
            i += Character.charCount(cp);
        }
        if (pieceStart < text.length()) {
            out.add(text.substring(pieceStart));
        }
    }
}
