package dev.idefics4j.spark;

import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * spark-batch in local mode opens no port to the network, and each JVM logs its model load once. The job runs as
 * {@code ./idefics4j spark-batch} runs it: SparkBatchMain in a JVM of its own with the launcher's JVM options and
 * logging configuration, on a host whose name may resolve to loopback (where Spark would pick another interface).
 */
class LocalModeTest {
    private static final Pattern MODEL_LOADED = Pattern.compile(
            "INFO ModelCache: idefics4j model loaded in \\d+ ms: (.+), (\\S+) weights, 1 compute thread\\(s\\)");

    @TempDir
    Path dir;

    @Test
    void jobListensOnLoopbackOnlyAndLogsTheModelLoadOnce() throws Exception {
        assumeTrue(ListeningSockets.supported(), "needs Linux's /proc");
        Path input = dir.resolve("requests.jsonl");
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            rows.add("{\"id\": \"r" + i + "\", \"task\": \"caption\", \"image\": \""
                    + ParityCases.image(i % 2 == 0 ? "cat_rgb_97x61.jpg" : "rocket_rgb_200x320.jpg") + "\"}");
        }
        Files.write(input, rows);
        Path output = dir.resolve("out");
        String model = TestData.model("tiny").toString();
        Path jvmOptions = Path.of("target", "spark-launch", "jvm-options").toAbsolutePath();
        assertTrue(Files.isRegularFile(jvmOptions), jvmOptions + " is made before the tests (process-test-resources)");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only: a run this short spends more on the second JIT tier than it gains from it.
                "@" + jvmOptions, "-Xmx1g", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SparkBatchMain.class.getName(), "--model", model, "--input", input.toString(),
                "--output", output.toString(), "--master", "local[2]", "--partitions", "2",
                "--threads", "1");
        pb.environment().remove(LocalMode.SPARK_LOCAL_IP); // the job must not depend on it
        Path log = dir.resolve("stderr.txt");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        Set<InetSocketAddress> listening = new HashSet<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!p.waitFor(50, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                listening.addAll(ListeningSockets.of(p.pid()));
            }
        } finally {
            p.destroyForcibly();
        }
        String err = Files.readString(log);
        assertEquals(0, p.waitFor(), err);
        assertTrue(err.contains("2 request(s), 0 error(s)"), err);
        try (Stream<Path> parts = Files.list(output)) {
            long lines = 0;
            for (Path part : parts.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                lines += Files.readAllLines(part).size();
            }
            assertEquals(2, lines, "result rows");
        }

        // The driver's RPC endpoint (and block manager) were seen listening, so the check below saw the job run.
        assertFalse(listening.isEmpty(), "no listening socket seen while the job ran");
        for (InetSocketAddress a : listening) {
            assertTrue(a.getAddress().isLoopbackAddress(), "listens beyond loopback on " + a + "; all: " + listening);
        }

        // Two tasks ran in the JVM; it loaded the model once.
        List<String> loads = err.lines().filter(l -> l.contains("model loaded")).toList();
        assertEquals(1, loads.size(), err);
        Matcher m = MODEL_LOADED.matcher(loads.getFirst());
        assertTrue(m.find(), loads.getFirst());
        assertEquals(model, m.group(1));
        assertEquals("bf16", m.group(2));
    }

    @Test
    void localModeKeepsToLoopbackAndTheUiOnlyThere() {
        assertEquals(Map.of("spark.driver.host", "127.0.0.1", "spark.driver.bindAddress", "127.0.0.1",
                "spark.ui.enabled", "false"), LocalMode.settings(false, null));
        assertEquals("true", LocalMode.settings(true, "127.0.0.1").get("spark.ui.enabled"));
        assertEquals("true", LocalMode.settings(true, "::1").get("spark.ui.enabled"));
        // Spark binds the UI to SPARK_LOCAL_IP, else to every interface: the UI is refused unless that is loopback.
        for (String notLoopback : new String[]{null, "", "0.0.0.0", "192.0.2.2", "vm"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LocalMode.settings(true, notLoopback));
            assertTrue(e.getMessage().contains("SPARK_LOCAL_IP=127.0.0.1"), e.getMessage());
        }
        assertTrue(LocalMode.isLocal("local[*]") && LocalMode.isLocal("local") && LocalMode.isLocal("local[2,3]"));
        assertFalse(LocalMode.isLocal("spark://master:7077") || LocalMode.isLocal("yarn"));
    }

    @Test
    void addressesAreReadAsTheKernelWritesThem() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "samples from a little-endian host");
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), ListeningSockets.address("0100007F:1F90"));
        assertEquals(new InetSocketAddress("0.0.0.0", 4040), ListeningSockets.address("00000000:0FC8"));
        assertEquals(new InetSocketAddress("192.0.2.2", 44131),
                ListeningSockets.address("0000000000000000FFFF0000020200C0:AC63"));
        assertEquals(new InetSocketAddress("::1", 22),
                ListeningSockets.address("00000000000000000000000001000000:0016"));
    }
}
