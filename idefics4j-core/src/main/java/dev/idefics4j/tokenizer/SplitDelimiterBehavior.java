package dev.idefics4j.tokenizer;

import java.nio.file.Path;
import java.util.List;

/**
 * What a split does with the parts of the text its pattern matched (tokenizers' {@code SplitDelimiterBehavior}), given
 * the text cut into consecutive spans, each a match or not.
 */
enum SplitDelimiterBehavior {
    /** Matches are dropped. */
    REMOVED,
    /** Every span is a piece of its own. */
    ISOLATED,
    /** A match joins the span before it. */
    MERGED_WITH_PREVIOUS,
    /** A match joins the span after it. */
    MERGED_WITH_NEXT,
    /** Consecutive spans of the same kind join. */
    CONTIGUOUS;

    static SplitDelimiterBehavior parse(String name, Path file) {
        return switch (name == null ? "" : name) {
            case "Removed" -> REMOVED;
            case "Isolated" -> ISOLATED;
            case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> MERGED_WITH_NEXT;
            case "Contiguous" -> CONTIGUOUS;
            default -> throw new TokenizerException(file + ": unknown split behavior \"" + name + "\"");
        };
    }

    /**
     * Appends the pieces of {@code text} to {@code out}.
     *
     * @param spans {@code count} spans as (start, end, isMatch 0/1) triples that cover {@code text} in order
     */
    void apply(String text, int[] spans, int count, List<String> out) {
        switch (this) {
            case REMOVED, ISOLATED -> {
                for (int i = 0; i < count; i++) {
                    if (this == ISOLATED || spans[3 * i + 2] == 0) {
                        add(text, spans[3 * i], spans[3 * i + 1], out);
                    }
                }
            }
            case CONTIGUOUS, MERGED_WITH_PREVIOUS -> {
                // A span extends the piece before it when it is of the same kind (contiguous) or a match after a
                // non-match (merged with previous).
                int start = -1;
                int end = -1;
                boolean previousMatch = false;
                for (int i = 0; i < count; i++) {
                    boolean match = spans[3 * i + 2] != 0;
                    boolean extend = start >= 0 && (this == CONTIGUOUS ? match == previousMatch : match && !previousMatch);
                    if (!extend) {
                        if (start >= 0) {
                            add(text, start, end, out);
                        }
                        start = spans[3 * i];
                    }
                    end = spans[3 * i + 1];
                    previousMatch = match;
                }
                if (start >= 0) {
                    add(text, start, end, out);
                }
            }
            case MERGED_WITH_NEXT -> {
                // Mirror image of merged-with-previous, walking from the end: a match joins the piece after it.
                int[] starts = new int[count];
                int[] ends = new int[count];
                int n = 0;
                boolean previousMatch = false;
                for (int i = count - 1; i >= 0; i--) {
                    boolean match = spans[3 * i + 2] != 0;
                    if (n > 0 && match && !previousMatch) {
                        starts[n - 1] = spans[3 * i];
                    } else {
                        starts[n] = spans[3 * i];
                        ends[n] = spans[3 * i + 1];
                        n++;
                    }
                    previousMatch = match;
                }
                for (int k = n - 1; k >= 0; k--) {
                    add(text, starts[k], ends[k], out);
                }
            }
        }
    }

    private static void add(String text, int start, int end, List<String> out) {
        if (end > start) {
            out.add(text.substring(start, end));
        }
    }
}
