package dev.idefics4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code spark-batch}: the idefics4j-spark job with Spark in local mode. It runs in a JVM of its own, on the Spark
 * module's class path and with the JVM options Spark needs (which must be given when a JVM starts), so the other
 * commands neither load Spark nor pay for it. Every argument goes to the job ({@code spark-batch --help} lists them).
 */
@Command(name = "spark-batch",
        description = {"Answer a dataset of requests (Parquet, JSON Lines or CSV) with Spark in local mode: one result "
                + "row per request, errors per row. See spark-batch --help and docs/SPARK.md.",
                "Needs ./idefics4j (it builds the Spark module on first use); IDEFICS4J_SPARK_JAVA_OPTS adds JVM "
                        + "options (e.g. -Xmx8g). In local mode nothing listens beyond 127.0.0.1 (--spark-ui: the "
                        + "web UI, there too)."})
final class SparkBatchCommand implements Callable<Integer> {
    /** Where ./idefics4j says the Spark module was built (its target folder). */
    static final String HOME_PROPERTY = "idefics4j.spark.home";
    static final String MAIN_CLASS = "dev.idefics4j.spark.SparkBatchMain";
    static final String SPARK_LOCAL_IP = "SPARK_LOCAL_IP";
    static final String LOOPBACK = "127.0.0.1";

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command()).inheritIO();
        pb.environment().putAll(environment());
        return pb.start().waitFor();
    }

    /**
     * What the job's JVM gets added to its environment. In local mode (no {@code --master}, or a {@code local} one)
     * {@code SPARK_LOCAL_IP=127.0.0.1}: the job binds its driver to loopback itself, but Spark takes the web UI's
     * address ({@code --spark-ui}) only from this variable, and without it warns when the host name resolves to
     * loopback, then picks another interface.
     */
    Map<String, String> environment() {
        String master = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--master") && i + 1 < args.size()) {
                master = args.get(i + 1);
            } else if (a.startsWith("--master=")) {
                master = a.substring("--master=".length());
            }
        }
        return master == null || master.startsWith("local") ? Map.of(SPARK_LOCAL_IP, LOOPBACK) : Map.of();
    }

    List<String> command() throws IOException {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null) {
            throw new IllegalArgumentException("spark-batch runs through ./idefics4j, which builds the Spark module "
                    + "and sets -D" + HOME_PROPERTY);
        }
        Path target = Path.of(home);
        Path launch = target.resolve("spark-launch");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + launch.resolve("jvm-options"));
        String extra = System.getenv("IDEFICS4J_SPARK_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.strip().split("\\s+")));
        }
        try (var jars = Files.newDirectoryStream(target, "idefics4j-spark-*.jar")) {
            String jar = null;
            for (Path j : jars) {
                if (!j.getFileName().toString().endsWith("-cluster.jar")) {
                    jar = j.toString();
                }
            }
            if (jar == null) {
                throw new IllegalArgumentException("no idefics4j-spark jar in " + target + ": build the module");
            }
            cmd.add("-cp");
            cmd.add(jar + java.io.File.pathSeparator + Files.readString(launch.resolve("classpath")).strip());
        }
        cmd.add(MAIN_CLASS);
        if (args.stream().noneMatch(a -> a.equals("--model") || a.startsWith("--model="))
                && args.stream().noneMatch(a -> a.equals("--help") || a.equals("-h"))) {
            // As every other command: without --model, the bundled tiny model.
            cmd.add("--model");
            cmd.add(BundledModels.path(BundledModels.TINY).toString());
        }
        cmd.addAll(args);
        return cmd;
    }
}
