package dev.idefics4j.spark;

import dev.idefics4j.LabelScore;

import java.util.List;

/**
 * The answer to one row: its sequences (the {@code batch} command's fields), the label of {@code classify} and,
 * ranked, every label's score; or the error that stopped it.
 */
record RequestResult(long row, String id, String task, List<SequenceResult> sequences, String label,
                     List<LabelScore> scores, String error) {

    static RequestResult generated(RequestRow row, Task task, List<SequenceResult> sequences) {
        return new RequestResult(row.row(), row.id(), task.label(), sequences, null, null, null);
    }

    static RequestResult ranked(RequestRow row, List<LabelScore> scores) {
        return new RequestResult(row.row(), row.id(), Task.CLASSIFY.label(), null, scores.getFirst().label(), scores,
                null);
    }

    static RequestResult failed(RequestRow row, String task, RuntimeException e) {
        return new RequestResult(row.row(), row.id(), task, null, null, null,
                e.getMessage() == null ? e.toString() : e.getMessage());
    }

    RequestResult withLabel(String value) {
        return new RequestResult(row, id, task, sequences, value, scores, error);
    }

    /** The first sequence's new text, stripped, as the facade's tasks answer; null without sequences. */
    String answer() {
        return sequences == null || sequences.isEmpty() ? null : sequences.getFirst().newText().strip();
    }
}
