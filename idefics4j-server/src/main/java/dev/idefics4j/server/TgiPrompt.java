package dev.idefics4j.server;

import java.util.ArrayList;
import java.util.List;

/**
 * TGI's {@code inputs} string for IDEFICS (and a text completion's {@code prompt}): text with images as markdown,
 * {@code ![](url)}, split into text and image parts in order. The text is used as written (TGI users write the
 * {@code User:}/{@code Assistant:} form themselves).
 *
 * <p>The split is that of the regex {@code !\[[^\]]*\]\(([^)]*)\)} found left to right, but scanned in linear time:
 * a backtracking matcher spends quadratic time on text such as {@code "!["} repeated (every start scans to the end).
 * Here the next {@code ]} and the next {@code )} are found by cursors that only move forward, since the starts
 * tried only move forward.
 */
final class TgiPrompt {
    private TgiPrompt() {
    }

    static List<PromptPart> of(String inputs) {
        return of(inputs, "inputs");
    }

    /** @param param the request's name for the prompt, for error messages */
    static List<PromptPart> of(String inputs, String param) {
        List<PromptPart> out = new ArrayList<>();
        Cursor closeBracket = new Cursor(inputs, ']');
        Cursor closeParen = new Cursor(inputs, ')');
        int at = 0;
        int start = inputs.indexOf("![", at);
        while (start >= 0) {
            int bracket = closeBracket.nextFrom(start + 2);
            if (bracket < 0) {
                break; // no "]" left: no image can start here or later
            }
            if (bracket + 1 < inputs.length() && inputs.charAt(bracket + 1) == '(') {
                int paren = closeParen.nextFrom(bracket + 2);
                if (paren < 0) {
                    break; // no ")" left: no later start can close either
                }
                if (start > at) {
                    out.add(new PromptPart.Text(inputs.substring(at, start)));
                }
                String url = inputs.substring(bracket + 2, paren).strip();
                if (url.isEmpty()) {
                    throw ApiError.invalid(param, "an image ![](...) in " + param + " has no URL");
                }
                out.add(new PromptPart.Image(url));
                at = paren + 1;
                start = inputs.indexOf("![", at);
            } else {
                start = inputs.indexOf("![", start + 1);
            }
        }
        if (at < inputs.length()) {
            out.add(new PromptPart.Text(inputs.substring(at)));
        }
        if (out.isEmpty()) {
            throw ApiError.invalid(param, param + " must not be empty");
        }
        return out;
    }

    /** The next occurrence of one character at or after a position that never decreases between calls. */
    private static final class Cursor {
        private final String text;
        private final char c;
        private int found = -2; // -2: not searched yet

        Cursor(String text, char c) {
            this.text = text;
            this.c = c;
        }

        int nextFrom(int from) {
            if (found == -2 || (found >= 0 && found < from)) {
                found = text.indexOf(c, from);
            }
            return found;
        }
    }
}
