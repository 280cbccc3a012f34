package dev.idefics4j;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The categories of a classification: what makes a valid list, and which category a generated answer names. Batch
 * jobs that generate the answers themselves share the facade's rule through this class.
 */
public final class Labels {
    private Labels() {
    }

    /** Rejects an empty list, blank labels and repeated labels. */
    public static void require(List<String> labels) {
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("give at least one label");
        }
        if (labels.stream().anyMatch(l -> l == null || l.isBlank())) {
            throw new IllegalArgumentException("labels must not be empty");
        }
        if (labels.stream().distinct().count() != labels.size()) {
            throw new IllegalArgumentException("labels must be distinct: " + labels);
        }
    }

    /**
     * The first label the answer (the stripped new text) starts with, else the first it contains, ignoring case;
     * empty when it names none (the facade then falls back to ranking).
     */
    public static Optional<String> match(String answer, List<String> labels) {
        String lower = answer.toLowerCase(Locale.ROOT);
        for (String label : labels) {
            if (lower.startsWith(label.toLowerCase(Locale.ROOT))) {
                return Optional.of(label);
            }
        }
        for (String label : labels) {
            if (lower.contains(label.toLowerCase(Locale.ROOT))) {
                return Optional.of(label);
            }
        }
        return Optional.empty();
    }
}
