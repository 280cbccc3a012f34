package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a careless user or a hostile input file gives the command line (issue 21): a clear error, no hang. */
class HostileInputsCliTest {
    private static final String TINY = TestData.model("tiny").toString();
    private static final String CAT = TestData.fixture("images/cat_rgb_97x61.jpg").toString();
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** A copy of the tiny checkpoint to break. */
    private Path tinyCopy(String name) throws IOException {
        Path copy = dir.resolve(name);
        Files.createDirectories(copy);
        try (var files = Files.list(Path.of(TINY))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        return copy;
    }

    /** A zero image_std divides every pixel by zero; it gave an empty caption and exit 0. */
    @Test
    void aZeroImageStdIsRefused() throws IOException {
        Path model = tinyCopy("zero-std");
        Path pre = model.resolve("preprocessor_config.json");
        ObjectNode config = (ObjectNode) JSON.readTree(pre.toFile());
        config.putArray("image_std").add(0).add(0).add(0);
        JSON.writeValue(pre.toFile(), config);
        CliRunner.Result r = CliRunner.run("caption", CAT, "--model", model.toString(), "--max-new-tokens", "2");
        assertEquals(1, r.exitCode(), r.out());
        assertTrue(r.err().contains("image_std must hold finite, non-zero values"), r.err());
    }

    /** All-NaN weights: the logits are not finite, and the command says so instead of an empty caption. */
    @Test
    void nonFiniteLogitsAreReported() throws IOException {
        Path model = tinyCopy("nan-weights");
        Path weights = model.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        // 0xFFFF is a NaN in bfloat16 (the checkpoint's only dtype), as 0xFFFFFFFF is in float32.
        Arrays.fill(bytes, (int) (8 + headerLength), bytes.length, (byte) 0xFF);
        Files.write(weights, bytes);
        CliRunner.Result r = CliRunner.run("caption", CAT, "--model", model.toString(), "--max-new-tokens", "2");
        assertEquals(1, r.exitCode(), r.out());
        assertTrue(r.err().contains("logits for the prompt are not finite"), r.err());
    }

    /** A config.json that is not JSON: one line that says where, not Jackson's two-line message. */
    @Test
    void invalidConfigIsOneLine() throws IOException {
        Path model = tinyCopy("bad-config");
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"idefics\", ");
        CliRunner.Result r = CliRunner.run("caption", CAT, "--model", model.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("config.json: invalid JSON: "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(!r.err().contains("REDACTED"), r.err());
    }
}
