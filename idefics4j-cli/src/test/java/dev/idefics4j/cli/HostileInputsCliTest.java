package dev.idefics4j.cli;

import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a careless user or a hostile input file gives the command line (issue 21): a clear error, no hang. */
class HostileInputsCliTest {
    private static final String TINY = TestData.model("tiny").toString();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void captionOnAFifoIsRefused() throws Exception {
        Path fifo = dir.resolve("pipe.png");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(p.waitFor() == 0 && Files.exists(fifo), "no mkfifo");
        CliRunner.Result r = CliRunner.run("caption", fifo.toString(), "--model", TINY);
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("not a regular file"), r.err());
    }
}
