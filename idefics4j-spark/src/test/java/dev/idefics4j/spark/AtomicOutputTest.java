package dev.idefics4j.spark;

import dev.idefics4j.testing.TestData;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The output appears whole or not at all: an existing one is refused, skipped or replaced as the mode says, and a
 * failed job leaves nothing at the final path (an output it was to replace stays) and no staging folder behind.
 */
class AtomicOutputTest {
    private static SparkSession spark;
    private static Path input;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        spark = SparkTests.session();
        input = dir.resolve("in.jsonl");
        String cat = TestData.fixture("images/cat_rgb_97x61.jpg").toString();
        Files.write(input, List.of("{\"id\": \"1\", \"image\": \"" + cat + "\", \"max_new_tokens\": 2}",
                "{\"id\": \"2\", \"image\": \"" + cat + "\", \"max_new_tokens\": 3}"));
    }

    private static IdeficsBatchJob.Summary run(String model, Path output, WriteMode mode) {
        return IdeficsBatchJob.run(spark, new IdeficsBatchJob.Settings(ModelSpec.of(model), input.toString(), null,
                output.toString(), null, 2, mode, 0, null));
    }

    private static String tiny() {
        return SparkTests.tiny().model();
    }

    /** What sits beside the outputs: the staging and replaced folders must be gone. */
    private static List<String> hidden() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    @Test
    void modesRefuseSkipOrReplace() throws Exception {
        Path output = dir.resolve("modes");
        assertEquals(2, run(tiny(), output, WriteMode.ERROR).rows());
        assertTrue(Files.exists(output.resolve(AtomicOutput.SUCCESS)));
        Path marker = Files.writeString(output.resolve("marker"), "from the first run");

        assertThrows(IllegalArgumentException.class, () -> run(tiny(), output, WriteMode.ERROR));
        IdeficsBatchJob.Summary skipped = run(tiny(), output, WriteMode.SKIP);
        assertTrue(skipped.skipped());
        assertTrue(Files.exists(marker), "skip leaves a complete output alone");

        IdeficsBatchJob.Summary replaced = run(tiny(), output, WriteMode.OVERWRITE);
        assertEquals(2, replaced.rows());
        assertFalse(Files.exists(marker), "overwrite replaces the whole folder");
        assertTrue(Files.exists(output.resolve(AtomicOutput.SUCCESS)));
        assertEquals(List.of(), hidden());
    }

    @Test
    void skipReplacesAnIncompleteOutput() throws Exception {
        Path output = Files.createDirectories(dir.resolve("incomplete"));
        Files.writeString(output.resolve("part-00000.json"), "{\"half\": ");
        IdeficsBatchJob.Summary s = run(tiny(), output, WriteMode.SKIP);
        assertFalse(s.skipped());
        assertTrue(Files.exists(output.resolve(AtomicOutput.SUCCESS)));
        assertFalse(Files.exists(output.resolve("part-00000.json")));
    }

    @Test
    void aFailedJobLeavesNothingAndKeepsWhatItWouldReplace() throws Exception {
        Path fresh = dir.resolve("failed-fresh");
        // The executors cannot load this model: every task fails, so the job does.
        Path noModel = Files.createDirectories(dir.resolve("not-a-model"));
        assertThrows(Exception.class, () -> run(noModel.toString(), fresh, WriteMode.ERROR));
        assertFalse(Files.exists(fresh));

        Path kept = dir.resolve("failed-overwrite");
        run(tiny(), kept, WriteMode.ERROR);
        List<String> before;
        try (Stream<Path> files = Files.list(kept)) {
            before = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThrows(Exception.class, () -> run(noModel.toString(), kept, WriteMode.OVERWRITE));
        try (Stream<Path> files = Files.list(kept)) {
            assertEquals(before, files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(List.of(), hidden());
    }
}
