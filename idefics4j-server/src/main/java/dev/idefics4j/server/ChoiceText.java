package dev.idefics4j.server;

import java.util.List;

/**
 * A choice's text as OpenAI clients get it: for chat, leading whitespace dropped (the model writes " answer" after
 * {@code Assistant:}); cut before the first stop string, which OpenAI never returns. Streamed text is held back
 * while its end could still begin a stop string, so nothing sent is ever taken back.
 */
final class ChoiceText {
    private final List<String> stops;
    private final boolean stripLeading;
    private final StringBuilder text = new StringBuilder();
    private int sent;
    private boolean stopped;

    ChoiceText(List<String> stops, boolean stripLeading) {
        this.stops = stops == null ? List.of() : stops;
        this.stripLeading = stripLeading;
    }

    /** Adds generated text; returns what may be sent now. */
    String add(String delta) {
        if (stopped) {
            return "";
        }
        text.append(stripLeading && text.isEmpty() ? delta.stripLeading() : delta);
        int cut = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            text.setLength(cut);
        }
        return take(stopped ? text.length() : text.length() - heldBack());
    }

    /** The choice ended: whatever was held back may go. */
    String finish() {
        return take(text.length());
    }

    /** All of the choice's text so far. */
    String text() {
        return text.toString();
    }

    private String take(int end) {
        if (end <= sent) {
            return "";
        }
        String out = text.substring(sent, end);
        sent = end;
        return out;
    }

    /** Length of the longest end of the text that is the start of a stop string. */
    private int heldBack() {
        int longest = 0;
        String t = text.toString();
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, t.length()); k > longest; k--) {
                if (t.regionMatches(t.length() - k, stop, 0, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }
}
