package dev.idefics4j.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** spark-batch starts the Spark module's main in a JVM of its own, with Spark's options and class path. */
class SparkBatchCommandTest {
    @TempDir
    Path target;

    @AfterEach
    void clear() {
        System.clearProperty(SparkBatchCommand.HOME_PROPERTY);
    }

    private SparkBatchCommand command(String... args) throws Exception {
        Files.createDirectories(target.resolve("spark-launch"));
        Files.writeString(target.resolve("spark-launch/classpath"), "/m2/spark-core.jar:/m2/idefics4j-core.jar\n");
        Files.writeString(target.resolve("spark-launch/jvm-options"), "--add-opens=java.base/java.nio=ALL-UNNAMED");
        Files.writeString(target.resolve("idefics4j-spark-0.1.0-SNAPSHOT.jar"), "");
        Files.writeString(target.resolve("idefics4j-spark-0.1.0-SNAPSHOT-cluster.jar"), "");
        System.setProperty(SparkBatchCommand.HOME_PROPERTY, target.toString());
        SparkBatchCommand c = new SparkBatchCommand();
        c.args.addAll(List.of(args));
        return c;
    }

    @Test
    void launchesTheSparkMainWithItsOptionsAndArguments() throws Exception {
        List<String> cmd = command("--model", "m", "--input", "in.jsonl", "--master", "local[2]").command();
        assertEquals("@" + target.resolve("spark-launch/jvm-options"), cmd.get(1));
        int cp = cmd.indexOf("-cp");
        assertEquals(target.resolve("idefics4j-spark-0.1.0-SNAPSHOT.jar") + ":/m2/spark-core.jar:/m2/idefics4j-core.jar",
                cmd.get(cp + 1));
        assertEquals(List.of(SparkBatchCommand.MAIN_CLASS, "--model", "m", "--input", "in.jsonl", "--master",
                "local[2]"), cmd.subList(cp + 2, cmd.size()));
    }

    @Test
    void withoutAModelTheBundledOneIsUsed() throws Exception {
        List<String> cmd = command("--input", "in.jsonl").command();
        int model = cmd.indexOf("--model");
        assertTrue(Files.isRegularFile(Path.of(cmd.get(model + 1)).resolve("model.safetensors")));
    }

    /** Local mode gets SPARK_LOCAL_IP=127.0.0.1 (Spark binds its UI there); a cluster's driver must be reachable. */
    @Test
    void localModeBindsToLoopback() throws Exception {
        Map<String, String> loopback = Map.of("SPARK_LOCAL_IP", "127.0.0.1");
        assertEquals(loopback, command("--input", "in.jsonl").environment());
        assertEquals(loopback, command("--input", "in.jsonl", "--master", "local[2]", "--spark-ui").environment());
        assertEquals(loopback, command("--master=local", "--input", "in.jsonl").environment());
        assertEquals(Map.of(), command("--input", "in.jsonl", "--master", "spark://host:7077").environment());
    }

    @Test
    void needsTheLauncher() {
        assertThrows(IllegalArgumentException.class, () -> new SparkBatchCommand().command());
    }
}
