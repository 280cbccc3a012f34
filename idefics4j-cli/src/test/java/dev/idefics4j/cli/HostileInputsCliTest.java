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

    /** file: URLs name their file (they were read as a relative path "file:/..."); other schemes are refused. */
    @Test
    void fileAndFtpUrlsAreReadAsUrls() {
        String noModel = dir.resolve("no-model").toString();
        CliRunner.Result missing = CliRunner.run("caption", "file:///nonexistent/cat.png", "--model", noModel);
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("no such file /nonexistent/cat.png"), missing.err());
        CliRunner.Result ftp = CliRunner.run("caption", "ftp://example.com/cat.png", "--model", noModel);
        assertEquals(1, ftp.exitCode());
        assertTrue(ftp.err().contains("unsupported URL scheme \"ftp\""), ftp.err());
        Path cat = TestData.fixture("images/cat_rgb_97x61.jpg");
        CliRunner.Result ok = CliRunner.run("caption", cat.toUri().toString(), "--model", TINY, "--max-new-tokens", "2");
        assertEquals(0, ok.exitCode(), ok.err());
    }
}
