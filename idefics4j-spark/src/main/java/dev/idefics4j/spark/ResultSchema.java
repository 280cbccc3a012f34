package dev.idefics4j.spark;

import dev.idefics4j.LabelScore;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import scala.jdk.javaapi.CollectionConverters;

import java.util.List;

/**
 * The output rows: {@code row} and {@code id} to join back to the input, the {@code batch} command's fields of the
 * first sequence ({@code text}, {@code new_text}, {@code ids}, {@code new_ids}, {@code finish_reason}, {@code score}),
 * all sequences under {@code sequences} when there are several, the {@code label} of {@code classify} and, ranked,
 * every label's {@code scores}; {@code error} when the row could not be answered.
 */
public final class ResultSchema {
    /** One label's score, as {@code idefics_classify_ranked} returns them too. */
    public static final StructType LABEL_SCORE = new StructType()
            .add("label", DataTypes.StringType, false)
            .add("logprob", DataTypes.DoubleType, false);

    static final StructType SEQUENCE = new StructType()
            .add("text", DataTypes.StringType)
            .add("new_text", DataTypes.StringType)
            .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, false))
            .add("new_ids", DataTypes.createArrayType(DataTypes.IntegerType, false))
            .add("finish_reason", DataTypes.StringType)
            .add("score", DataTypes.DoubleType);

    public static final StructType SCHEMA = new StructType()
            .add("row", DataTypes.LongType, false)
            .add("id", DataTypes.StringType)
            .add("task", DataTypes.StringType)
            .add("text", DataTypes.StringType)
            .add("new_text", DataTypes.StringType)
            .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, false))
            .add("new_ids", DataTypes.createArrayType(DataTypes.IntegerType, false))
            .add("finish_reason", DataTypes.StringType)
            .add("score", DataTypes.DoubleType)
            .add("sequences", DataTypes.createArrayType(SEQUENCE, false))
            .add("label", DataTypes.StringType)
            .add("scores", DataTypes.createArrayType(LABEL_SCORE, false))
            .add("error", DataTypes.StringType);

    private ResultSchema() {
    }

    static Row toRow(RequestResult r) {
        SequenceResult first = r.sequences() == null || r.sequences().isEmpty() ? null : r.sequences().getFirst();
        Object sequences = r.sequences() == null || r.sequences().size() < 2 ? null
                : seq(r.sequences().stream().map(ResultSchema::sequence).toList());
        return RowFactory.create(r.row(), r.id(), r.task(),
                first == null ? null : first.text(),
                first == null ? null : first.newText(),
                first == null ? null : first.ids(),
                first == null ? null : first.newIds(),
                first == null ? null : first.finishReason(),
                first == null ? null : first.score(),
                sequences, r.label(), r.scores() == null ? null : seq(scores(r.scores())), r.error());
    }

    static List<Row> scores(List<LabelScore> scores) {
        return scores.stream().map(s -> RowFactory.create(s.label(), s.logprob())).toList();
    }

    /** Spark's row encoder takes arrays as Scala sequences. */
    static <T> scala.collection.immutable.Seq<T> seq(List<T> items) {
        return CollectionConverters.asScala(items).toList();
    }

    private static Row sequence(SequenceResult s) {
        return RowFactory.create(s.text(), s.newText(), s.ids(), s.newIds(), s.finishReason(), s.score());
    }
}
