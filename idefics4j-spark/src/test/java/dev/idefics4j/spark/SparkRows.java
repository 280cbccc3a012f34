package dev.idefics4j.spark;

import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

/** Reads result rows back into the job's own records, to compare them with the batch command's. */
final class SparkRows {
    private SparkRows() {
    }

    /** The row's sequences: {@code sequences} when there are several, else the top-level fields. */
    static List<SequenceResult> sequences(Row r) {
        if (!r.isNullAt(r.fieldIndex("sequences"))) {
            List<SequenceResult> out = new ArrayList<>();
            for (Row s : r.<Row>getList(r.fieldIndex("sequences"))) {
                out.add(sequence(s));
            }
            return out;
        }
        return r.isNullAt(r.fieldIndex("new_ids")) ? List.of() : List.of(sequence(r));
    }

    private static SequenceResult sequence(Row r) {
        return new SequenceResult(ints(r.getList(r.fieldIndex("ids"))), ints(r.getList(r.fieldIndex("new_ids"))),
                r.getAs("text"), r.getAs("new_text"), r.getAs("finish_reason"), r.getAs("score"));
    }

    private static int[] ints(List<Object> values) {
        return values.stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }
}
