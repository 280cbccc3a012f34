package dev.idefics4j.processor.jinja;

import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.tree.parse.NoteToken;
import com.hubspot.jinjava.tree.parse.TagToken;
import com.hubspot.jinjava.tree.parse.TextToken;
import com.hubspot.jinjava.tree.parse.Token;
import com.hubspot.jinjava.tree.parse.TokenScanner;

import java.util.ArrayList;
import java.util.List;

/**
 * A template's source as Jinja2's lexer reads it under transformers' settings, for Jinjava to parse with its own
 * {@code lstrip_blocks} off. Jinja2 turns every {@code \r\n} and {@code \r} into {@code \n} and drops one trailing
 * newline ({@code keep_trailing_newline=False}); with {@code lstrip_blocks} it strips the spaces and tabs before a
 * block tag or comment only when they start a line (after a newline in the text, or at the start of the template
 * or right after a block tag whose newline {@code trim_blocks} removed), where Jinjava strips them before every tag.
 * The tags are found by Jinjava's own scanner; only the whitespace rule is applied here.
 */
final class Jinja2Source {
    private Jinja2Source() {
    }

    /**
     * @param scannerConfig the engine's configuration with {@code trim_blocks} and {@code lstrip_blocks} off, so
     *                      that the scanner's tokens spell the source exactly
     */
    static String prepare(String source, JinjavaConfig scannerConfig) {
        String normalized = source.replace("\r\n", "\n").replace('\r', '\n');
        if (normalized.endsWith("\n")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        List<Token> tokens = new ArrayList<>();
        new TokenScanner(normalized, scannerConfig).forEachRemaining(tokens::add);
        StringBuilder spelled = new StringBuilder(normalized.length());
        for (Token t : tokens) {
            spelled.append(t.getImage());
        }
        if (!spelled.toString().equals(normalized)) {
            // The scanner dropped or rewrote something (an unclosed tag, say): leave the source to the parser,
            // which reports it.
            return normalized;
        }
        StringBuilder out = new StringBuilder(normalized.length());
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            String image = t.getImage();
            if (t instanceof TextToken && i + 1 < tokens.size() && opensBlockOrComment(tokens.get(i + 1))) {
                image = lstrip(image, i == 0);
            }
            out.append(image);
        }
        return out.toString();
    }

    /** {@code {%} or {@code {#} without a {@code -} or {@code +} sign after it (those decide for themselves). */
    private static boolean opensBlockOrComment(Token t) {
        if (!(t instanceof TagToken || t instanceof NoteToken)) {
            return false;
        }
        String image = t.getImage();
        return image.length() < 3 || (image.charAt(2) != '-' && image.charAt(2) != '+');
    }

    /**
     * Drops the whitespace that ends {@code text} when it starts a line: after the text's last newline, or all of
     * it at the start of the template. (A newline that {@code trim_blocks} removes after a block tag is still the
     * text's first character here, so "right after such a tag" is "after a newline".)
     */
    private static String lstrip(String text, boolean templateStart) {
        int lineStart = text.lastIndexOf('\n') + 1;
        if ((lineStart == 0 && !templateStart) || lineStart == text.length()) {
            return text;
        }
        for (int i = lineStart; i < text.length(); i++) {
            if (!PythonStrings.isPythonSpace(text.charAt(i))) {
                return text;
            }
        }
        return text.substring(0, lineStart);
    }
}
