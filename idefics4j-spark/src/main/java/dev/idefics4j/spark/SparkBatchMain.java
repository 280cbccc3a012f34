package dev.idefics4j.spark;

import dev.idefics4j.tokenizer.Flavor;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The batch job as a program: {@code idefics4j spark-batch} runs it with Spark in local mode inside the process, and
 * {@code spark-submit --class dev.idefics4j.spark.SparkBatchMain} runs the same on a cluster (its master wins).
 */
@Command(name = "spark-batch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Answer a dataset of requests (Parquet, JSON Lines or CSV; one row per request) with Spark and "
                + "write one result row per request. A row that cannot be answered gets its error; the job goes on.",
                "Columns: image (path, URL, data URL or bytes), task (caption, ask, classify, describe, prompt), "
                        + "text, labels, ranked, prompt (raw prompt or request JSON), options (JSON), id, and any "
                        + "generation option by name (max_new_tokens, ...)."})
public final class SparkBatchMain implements Callable<Integer> {
    // Not required by picocli: ./idefics4j spark-batch passes the bundled tiny model when it is left out, so its help
    // must not show it as required; a direct spark-submit without it is refused in call().
    @Option(names = "--model", paramLabel = "DIR|REPO",
            description = "Checkpoint folder every executor can read, or a Hub repo id (fetched per executor). "
                    + "./idefics4j spark-batch: the bundled tiny model when left out; spark-submit: needed.")
    String model;

    @Option(names = "--revision", paramLabel = "REV", description = "Hub revision.")
    String revision;

    @Option(names = "--tokenizer", paramLabel = "FLAVOR",
            description = "auto (tokenizer.json when present), sentencepiece or json.")
    String tokenizer = "auto";

    @Option(names = "--threads", paramLabel = "N",
            description = "Compute threads per executor JVM (default: all its processors).")
    int threads;

    @Option(names = "--quantize", paramLabel = "FORMAT",
            description = "Quantize the linear layers while each executor loads: fp4, nf4 or int8 (default: none).")
    String quantize;

    @Option(names = "--double-quant", description = "With fp4/nf4: quantize the block scales too.")
    boolean doubleQuant;

    @Option(names = "--bf16-dot", description = "Images and prompts through the CPU's bf16 dot-product instruction"
            + " on each executor (AVX512_BF16; activations rounded to bf16).")
    boolean bf16Dot;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "File or folder of requests.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "Folder the results go to.")
    String output;

    @Option(names = "--format", paramLabel = "FMT",
            description = "Input format: parquet, json (JSON Lines) or csv (default: from the input's extension).")
    String format;

    @Option(names = "--output-format", paramLabel = "FMT", description = "Output format (default: the input's).")
    String outputFormat;

    @Option(names = "--batch-size", paramLabel = "N", description = "Requests per left-padded batch (default: 8).")
    int batchSize = 8;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "When the output exists: error (default), overwrite, or skip (keep a complete one).")
    String mode = "error";

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: the one spark-submit gives, else local[*]). In local mode the"
                    + " driver listens on 127.0.0.1 only.")
    String master;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions to answer in (default: at least Spark's default parallelism).")
    int partitions;

    @Option(names = "--base-dir", paramLabel = "DIR",
            description = "Folder relative image paths resolve against (default: the input's folder).")
    String baseDir;

    @Option(names = "--spark-ui", description = "In local mode, serve Spark's web UI on 127.0.0.1 while the job runs"
            + " (off otherwise; Spark binds it to SPARK_LOCAL_IP, which ./idefics4j sets). A cluster's own settings"
            + " decide there.")
    boolean sparkUi;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SparkBatchMain());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // The message names the problem; the trace is for IDEFICS4J_DEBUG.
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("IDEFICS4J_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("--model is needed: a checkpoint folder every executor can read, or a "
                    + "Hub repo id");
        }
        ModelSpec spec = new ModelSpec(model, revision, flavor(tokenizer), threads, quantize, doubleQuant, bf16Dot);
        IdeficsBatchJob.Settings settings = new IdeficsBatchJob.Settings(spec, input,
                format == null ? null : Format.of(format), output,
                outputFormat == null ? null : Format.of(outputFormat), batchSize, WriteMode.of(mode), partitions,
                baseDir);
        SparkSession.Builder builder = SparkSession.builder().appName("idefics4j spark-batch");
        // spark-submit's master when it gave one, else local mode.
        String effectiveMaster = master != null ? master : new SparkConf().get("spark.master", "local[*]");
        builder.master(effectiveMaster);
        if (LocalMode.isLocal(effectiveMaster)) {
            LocalMode.settings(sparkUi, System.getenv(LocalMode.SPARK_LOCAL_IP)).forEach(builder::config);
        }
        SparkSession spark = builder.getOrCreate();
        try {
            if (sparkUi && spark.sparkContext().uiWebUrl().isDefined()) {
                System.err.println("Spark UI: " + spark.sparkContext().uiWebUrl().get());
            }
            IdeficsBatchJob.Summary s = IdeficsBatchJob.run(spark, settings);
            if (s.skipped()) {
                System.err.printf("%s is complete already: skipped%n", s.output());
            } else {
                System.err.printf(Locale.ROOT, "%d request(s), %d error(s) in %.1f s (%.2f requests/s) -> %s%n",
                        s.rows(), s.errors(), s.seconds(), s.rows() / Math.max(s.seconds(), 1e-9), s.output());
            }
            return 0;
        } finally {
            spark.stop();
        }
    }

    private static Flavor flavor(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> null;
            case "sentencepiece" -> Flavor.SENTENCEPIECE;
            case "json" -> Flavor.TOKENIZER_JSON;
            default -> throw new IllegalArgumentException("--tokenizer must be auto, sentencepiece or json, not " + name);
        };
    }
}
