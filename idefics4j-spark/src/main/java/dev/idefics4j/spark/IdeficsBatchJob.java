package dev.idefics4j.spark;

import dev.idefics4j.Idefics;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Batch inference over a dataset of requests: one result row per input row ({@link ResultSchema}), in input order.
 * Each executor loads the model once ({@link ModelCache}) and answers its partitions in left-padded batches
 * ({@link PartitionRunner}); a row that cannot be answered carries its error and never fails the job.
 */
public final class IdeficsBatchJob {
    private IdeficsBatchJob() {
    }

    /**
     * What to run.
     *
     * @param inputFormat  null: from the input's extension
     * @param outputFormat null: the input's format
     * @param partitions   how many partitions to answer in; 0: at least Spark's default parallelism
     * @param baseDir      where relative image paths resolve; null: the input's folder (a local input), else the
     *                     executors' working folder
     */
    public record Settings(ModelSpec model, String input, Format inputFormat, String output, Format outputFormat,
                           int batchSize, WriteMode mode, int partitions, String baseDir) {
        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be 0 (default) or positive, got " + partitions);
            }
        }
    }

    /** What a run did: skipped (a complete output was there), or how many rows it answered and how many failed. */
    public record Summary(String output, boolean skipped, long rows, long errors, double seconds) {
    }

    /** Runs the job: reads the input, answers every row and commits the output whole ({@link AtomicOutput}). */
    public static Summary run(SparkSession spark, Settings s) {
        long start = System.nanoTime();
        AtomicOutput output = new AtomicOutput(s.output(), spark.sparkContext().hadoopConfiguration());
        if (output.exists() && s.mode() == WriteMode.ERROR) {
            throw new IllegalArgumentException(output.target() + " already exists (use mode overwrite or skip)");
        }
        if (s.mode() == WriteMode.SKIP && output.isComplete()) {
            return new Summary(output.target().toString(), true, 0, 0, 0);
        }
        Format in = s.inputFormat() != null ? s.inputFormat() : Format.ofPath(s.input());
        Format out = s.outputFormat() != null ? s.outputFormat() : in;
        String baseDir = s.baseDir() != null ? s.baseDir() : inputFolder(s.input());
        Counters counters = new Counters(spark);
        Dataset<Row> results = switch (in) {
            case JSON -> answer(spark, spark.read().textFile(s.input()).javaRDD(),
                    (line, i) -> JsonLineReader.read(line, i), s.model(), s.batchSize(), baseDir, s.partitions(),
                    counters);
            case PARQUET -> answer(spark.read().parquet(s.input()), s.model(), s.batchSize(), baseDir, s.partitions(),
                    counters);
            case CSV -> answer(spark.read().option("header", "true").option("multiLine", "true")
                    .option("escape", "\"").csv(s.input()), s.model(), s.batchSize(), baseDir, s.partitions(), counters);
        };
        output.write(writer(results, out));
        return new Summary(output.target().toString(), false, counters.rows.value(), counters.errors.value(),
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * The results for a DataFrame of request rows (lazy; nothing runs until it is written or collected).
     *
     * @param baseDir where relative image paths resolve on the executors
     */
    public static Dataset<Row> answer(Dataset<Row> requests, ModelSpec model, int batchSize, String baseDir,
                                      int partitions) {
        return answer(requests, model, batchSize, baseDir, partitions, null);
    }

    private static Dataset<Row> answer(Dataset<Row> requests, ModelSpec model, int batchSize, String baseDir,
                                       int partitions, Counters counters) {
        RowReader reader = new RowReader(requests.schema());
        return answer(requests.sparkSession(), requests.javaRDD(), reader::read, model, batchSize, baseDir,
                partitions, counters);
    }

    /** Turns an input value and its position into a request row; it runs on the executors. */
    private interface Reader<T> extends Serializable {
        RequestRow read(T value, long index);
    }

    private static <T> Dataset<Row> answer(SparkSession spark, JavaRDD<T> input, Reader<T> reader, ModelSpec model,
                                           int batchSize, String baseDir, int partitions, Counters counters) {
        JavaPairRDD<Long, T> indexed = spread(input.zipWithIndex().mapToPair(Tuple2::swap), partitions,
                spark.sparkContext().defaultParallelism());
        JavaRDD<Row> rows = indexed.mapPartitions(it -> {
            if (!it.hasNext()) {
                return Collections.emptyIterator();
            }
            Idefics idefics = ModelCache.get(model);
            PartitionRunner runner = new PartitionRunner(idefics, Path.of(baseDir), batchSize);
            Iterator<RequestResult> results = runner.run(map(it, t -> reader.read(t._2(), t._1())));
            return map(results, r -> {
                if (counters != null) {
                    counters.count(r);
                }
                return ResultSchema.toRow(r);
            });
        });
        return spark.createDataFrame(rows, ResultSchema.SCHEMA);
    }

    /**
     * The rows over enough partitions for every core to work: small inputs arrive as one partition, so they are
     * spread into contiguous ranges (sorted, so that input order survives the shuffle).
     */
    private static <T> JavaPairRDD<Long, T> spread(JavaPairRDD<Long, T> indexed, int partitions, int parallelism) {
        int current = indexed.getNumPartitions();
        int target = partitions > 0 ? partitions : Math.max(current, parallelism);
        if (target == current) {
            return indexed;
        }
        long count = indexed.count();
        if (count == 0) {
            return indexed;
        }
        return indexed.repartitionAndSortWithinPartitions(new ContiguousPartitioner(count, target));
    }

    /** A writer in the output format; CSV has no arrays or structs, so those columns are written as JSON text. */
    private static DataFrameWriter<Row> writer(Dataset<Row> results, Format format) {
        Dataset<Row> data = results;
        if (format == Format.CSV) {
            List<Column> columns = new ArrayList<>();
            for (StructField f : results.schema().fields()) {
                boolean nested = f.dataType() instanceof ArrayType || f.dataType() instanceof StructType;
                columns.add(nested ? functions.to_json(functions.col(f.name())).as(f.name())
                        : functions.col(f.name()));
            }
            data = results.select(columns.toArray(Column[]::new));
        }
        DataFrameWriter<Row> writer = data.write().format(format.sparkName());
        return format == Format.CSV ? writer.option("header", "true").option("escape", "\"") : writer;
    }

    /** Relative image paths of a local input resolve against its folder, as the {@code batch} command does. */
    private static String inputFolder(String input) {
        try {
            if (input.contains("://") && !input.startsWith("file:")) {
                return Path.of("").toAbsolutePath().toString();
            }
            Path p = Path.of(input.startsWith("file:") ? java.net.URI.create(input).getPath() : input)
                    .toAbsolutePath();
            return (Files.isDirectory(p) ? p : p.getParent()).toString();
        } catch (IllegalArgumentException e) {
            return Path.of("").toAbsolutePath().toString();
        }
    }

    private static <A, B> Iterator<B> map(Iterator<A> in, java.util.function.Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public B next() {
                return f.apply(in.next());
            }
        };
    }

    /** How many rows were answered and how many of them failed, summed over the executors. */
    private static final class Counters implements Serializable {
        final LongAccumulator rows;
        final LongAccumulator errors;

        Counters(SparkSession spark) {
            rows = spark.sparkContext().longAccumulator("idefics4j rows");
            errors = spark.sparkContext().longAccumulator("idefics4j errors");
        }

        void count(RequestResult r) {
            rows.add(1);
            if (r.error() != null) {
                errors.add(1);
            }
        }
    }
}
