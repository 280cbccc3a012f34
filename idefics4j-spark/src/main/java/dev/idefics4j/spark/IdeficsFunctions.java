package dev.idefics4j.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * IDEFICS as Spark SQL functions, registered in one call:
 * <ul>
 *   <li>{@code idefics_caption(image)} → string</li>
 *   <li>{@code idefics_ask(image, question)} → string</li>
 *   <li>{@code idefics_classify(image, labels)} → string, {@code labels} an {@code array<string>}</li>
 *   <li>{@code idefics_classify_ranked(image, labels)} → {@code array<struct<label, logprob>>}, best first</li>
 * </ul>
 * {@code image} is a path, URL or data URL (string) or encoded bytes (binary). Each call answers one row as the
 * facade's task does (the batch job batches; these do not). A null image gives null, and so does a row that cannot
 * be answered (an unreadable image, say): the reason is logged; the batch job writes it into its error column.
 */
public final class IdeficsFunctions {
    private static final Logger LOG = LoggerFactory.getLogger(IdeficsFunctions.class);

    private IdeficsFunctions() {
    }

    /** Registers the functions on {@code model}; relative image paths resolve against the working folder. */
    public static void register(SparkSession spark, String model) {
        register(spark, ModelSpec.of(model), Path.of("").toAbsolutePath().toString());
    }

    public static void register(SparkSession spark, ModelSpec model, String baseDir) {
        spark.udf().register("idefics_caption", (UDF1<Object, String>) image ->
                answer(model, baseDir, image, Task.CAPTION, null, null), DataTypes.StringType);
        spark.udf().register("idefics_ask", (UDF2<Object, String, String>) (image, question) ->
                answer(model, baseDir, image, Task.ASK, question, null), DataTypes.StringType);
        spark.udf().register("idefics_classify", (UDF2<Object, Object, String>) (image, labels) ->
                answer(model, baseDir, image, Task.CLASSIFY, null, labels), DataTypes.StringType);
        spark.udf().register("idefics_classify_ranked", (UDF2<Object, Object, Object>) (image, labels) -> {
            RequestResult r = run(model, baseDir, image, Task.CLASSIFY, null, labels, true);
            return r == null ? null : ResultSchema.scores(r.scores());
        }, DataTypes.createArrayType(ResultSchema.LABEL_SCORE, false));
    }

    private static String answer(ModelSpec model, String baseDir, Object image, Task task, String text,
                                 Object labels) {
        RequestResult r = run(model, baseDir, image, task, text, labels, false);
        return r == null ? null : task == Task.CLASSIFY ? r.label() : r.answer();
    }

    /** The row's result; null for a null image or when it failed (logged). */
    private static RequestResult run(ModelSpec model, String baseDir, Object image, Task task, String text,
                                     Object labels, boolean ranked) {
        if (image == null) {
            return null;
        }
        RequestResult r;
        try {
            RequestRow row = RequestRow.task(task, image, text, RequestColumns.labels(labels), ranked);
            r = new PartitionRunner(ModelCache.get(model), Path.of(baseDir), 1).answer(List.of(row)).getFirst();
        } catch (IllegalArgumentException e) {
            r = new RequestResult(0, null, task.label(), null, null, null, e.getMessage());
        }
        if (r.error() != null) {
            LOG.warn("idefics_{}: {}", task.label(), r.error());
            return null;
        }
        return r;
    }
}
