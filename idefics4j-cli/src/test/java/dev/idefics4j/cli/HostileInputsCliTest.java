package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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

    /**
     * Settings that would allocate without bound end in a message naming the setting, from the command line, the
     * generation config and the preprocessor config alike; in batch each is its line's error and the rest are
     * answered, a line that is not UTF-8 included.
     */
    @Test
    void unboundedSettingsAreRefusedByName() throws IOException {
        long heapMiB = Runtime.getRuntime().maxMemory() >> 20;
        String[][] cases = {{"{\"prompts\": [[\"Hi\"]], \"max_new_tokens\": 1000000000}", "max_new_tokens 1000000000"},
                {"{\"prompts\": [[\"Hi\"]], \"max_new_tokens\": 100000}", "past the model's 2048 positions"},
                {"{\"prompts\": [[\"Hi\"]], \"max_new_tokens\": 2147483647}", "max_new_tokens 2147483647"},
                {"{\"prompts\": [[\"Hi\"]], \"num_beams\": 2147483647, \"max_new_tokens\": 2}", "num_beams 2147483647"},
                {"{\"prompts\": [[\"Hi\"]], \"do_sample\": true, \"num_return_sequences\": 100000, "
                        + "\"max_new_tokens\": 2}", "num_return_sequences 100000"},
                // Scores under half the heap, but a KV cache (1 KiB per position) about twice the heap.
                {"{\"prompts\": [[\"Hi\"]], \"do_sample\": true, \"num_return_sequences\": " + heapMiB
                        + ", \"max_new_tokens\": 2000}", "KV cache of "}};
        for (String[] c : cases) {
            CliRunner.Result r = CliRunner.run("generate", "--model", TINY, "--json", c[0]);
            assertEquals(1, r.exitCode(), c[0] + " " + r.out());
            assertTrue(r.err().contains(c[1]) && !r.err().contains("Exception") && !r.err().contains("Error"),
                    r.err());
        }
        Path model = tinyCopy("huge-beams");
        Path gen = model.resolve("generation_config.json");
        ObjectNode config = (ObjectNode) JSON.readTree(gen.toFile());
        config.put("num_beams", Integer.MAX_VALUE);
        JSON.writeValue(gen.toFile(), config);
        CliRunner.Result beams = CliRunner.run("caption", CAT, "--model", model.toString(), "--max-new-tokens", "2");
        assertEquals(1, beams.exitCode(), beams.out());
        assertTrue(beams.err().contains("num_beams 2147483647"), beams.err());
        Path big = tinyCopy("huge-image-size");
        Path pre = big.resolve("preprocessor_config.json");
        ObjectNode preConfig = (ObjectNode) JSON.readTree(pre.toFile());
        preConfig.put("image_size", 1_000_000);
        JSON.writeValue(pre.toFile(), preConfig);
        CliRunner.Result size = CliRunner.run("caption", CAT, "--model", big.toString(), "--max-new-tokens", "2");
        assertEquals(1, size.exitCode(), size.out());
        assertTrue(size.err().contains("image_size is 1000000"), size.err());

        Path in = dir.resolve("in.jsonl");
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        lines.writeBytes("{\"prompts\": [[\"Hi\"]], \"max_new_tokens\": 2}\n".getBytes(StandardCharsets.UTF_8));
        for (String[] c : cases) {
            lines.writeBytes((c[0] + "\n").getBytes(StandardCharsets.UTF_8));
        }
        lines.writeBytes(new byte[] {'{', '"', (byte) 0xC3, '"', '}', '\n'});
        lines.writeBytes("{\"prompts\": [[\"Hi\"]], \"max_new_tokens\": 2}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(in, lines.toByteArray());
        Path out = dir.resolve("out.jsonl");
        CliRunner.Result batch = CliRunner.run("batch", "--model", TINY, "--input", in.toString(), "--output",
                out.toString());
        assertEquals(0, batch.exitCode(), batch.err());
        List<String> results = Files.readAllLines(out);
        assertEquals(cases.length + 3, results.size(), results.toString());
        assertTrue(results.getFirst().contains("\"sequences\"") && results.getLast().contains("\"sequences\""));
        for (int i = 0; i < cases.length; i++) {
            assertTrue(results.get(i + 1).contains(cases[i][1]), results.get(i + 1));
        }
        assertTrue(results.get(cases.length + 1).contains("not valid UTF-8"), results.toString());
    }

    /** The output target is checked before the model loads: a directory, a device, a missing folder. */
    @Test
    void batchOutputIsCheckedFirst() throws IOException {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"prompts\": [[\"Hi\"]], \"max_new_tokens\": 2}\n");
        String noModel = dir.resolve("no-model").toString();
        String[][] cases = {{dir.toString(), "is a directory"},
                {dir.resolve("nope/out.jsonl").toString(), "does not exist"}};
        for (String[] c : cases) {
            CliRunner.Result r = CliRunner.run("batch", "--model", noModel, "--input", in.toString(), "--output", c[0]);
            assertEquals(1, r.exitCode());
            assertTrue(r.err().contains("--output " + c[0] + ": ") && r.err().contains(c[1]), r.err());
        }
    }

    /** A device is written in place, never replaced by a regular file; a write that fails says why. */
    @Test
    void batchWritesToADeviceInPlace() throws IOException {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/full")) && Files.exists(Path.of("/dev/null")), "no /dev/full");
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"prompts\": [[\"Hi\"]], \"max_new_tokens\": 2}\n");
        CliRunner.Result ok = CliRunner.run("batch", "--model", TINY, "--input", in.toString(), "--output", "/dev/null");
        assertEquals(0, ok.exitCode(), ok.err());
        assertTrue(ok.err().contains("1 request(s), 0 error(s) -> /dev/null"), ok.err());
        CliRunner.Result full = CliRunner.run("batch", "--model", TINY, "--input", in.toString(), "--output", "/dev/full");
        assertEquals(1, full.exitCode());
        assertTrue(full.err().contains("--output /dev/full: cannot write: No space left on device"), full.err());
        assertTrue(!Files.isRegularFile(Path.of("/dev/full")) && !Files.exists(Path.of("/dev/full.partial")));
    }
}
