package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks of a hostile client (issue 21) replayed against a server with its default limits: each is refused with a
 * JSON error in its API's shape, in bounded time, and the server stays healthy.
 */
class HostileRequestsTest {
    @TempDir
    static Path media;
    private static IdeficsServer server;

    @BeforeAll
    static void start() {
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).mediaDir(media).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode tgiRefusal(Http.Response r, int status, String fragment) {
        assertEquals(status, r.status(), r.body());
        JsonNode body = r.json();
        assertTrue(body.get("error").asText().contains(fragment), body.toString());
        return body;
    }

    /** 200 KB of "![" and 80,000 spaces: refused from their length before tokenizing, parsed in linear time. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void longHostilePromptsAreRefusedFromTheirLength() {
        String brackets = "![".repeat(100_000);
        tgiRefusal(Http.post(server.port(), "/generate", "{\"inputs\": \"" + brackets + "\"}"), 422,
                "200000 characters");
        String spaces = "x" + " ".repeat(80_000) + "y";
        tgiRefusal(Http.post(server.port(), "/generate", "{\"inputs\": \"" + spaces + "\"}"), 422,
                "80002 characters");
        Http.Response chat = Http.post(server.port(), "/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"" + spaces + "\"}]}");
        assertEquals(400, chat.status(), chat.body());
        assertEquals("messages", chat.json().get("error").get("param").asText());
        assertEquals(200, Http.get(server.port(), "/health").status());
    }

    /** A FIFO in the media folder would block its reader forever (and hold a queue place): refused unopened. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFifoInTheMediaFolderIsRefused() throws Exception {
        Process p = new ProcessBuilder("mkfifo", media.resolve("pipe.png").toString()).start();
        Assumptions.assumeTrue(p.waitFor() == 0 && Files.exists(media.resolve("pipe.png")), "no mkfifo");
        tgiRefusal(Http.post(server.port(), "/generate", "{\"inputs\": \"User:![](pipe.png)Hi\"}"), 422,
                "not a regular file");
        Files.createSymbolicLink(media.resolve("loop1.png"), media.resolve("loop2.png"));
        Files.createSymbolicLink(media.resolve("loop2.png"), media.resolve("loop1.png"));
        JsonNode loop = tgiRefusal(Http.post(server.port(), "/generate",
                "{\"inputs\": \"User:![](loop1.png)Hi\"}"), 422, "symbolic links");
        assertTrue(!loop.toString().contains("Exception"), loop.toString());
        assertEquals(0, server.queueSize());
    }

    /** A data URL of 15.5 MB, under the 16 MiB image cap, passes the JSON parser (Jackson's own cap is 20 M chars). */
    @Test
    void aLargeDataUrlUnderTheImageCapReachesTheImageDecoder() {
        String dataUrl = "data:image/png;base64," + "A".repeat(20_500_000);
        Http.Response r = Http.post(server.port(), "/generate", "{\"inputs\": \"User:![](" + dataUrl + ")Hi\"}");
        assertEquals(422, r.status(), r.body().length() > 500 ? r.body().substring(0, 500) : r.body());
        String error = r.json().get("error").asText();
        assertTrue(!error.contains("StreamReadConstraints") && !error.contains("String value length"), error);
        assertTrue(error.contains("cannot use an image"), error);
    }

    /** Integers of 2^64 and more are refused, not read as their low 64 bits (2^64 + 1 was max_tokens 1). */
    @Test
    void integersOutOfRangeAreRefusedNotWrapped() {
        for (String field : new String[] {"\"max_tokens\": 18446744073709551617", "\"n\": 18446744073709551618",
                "\"max_tokens\": 99999999999999999999999999999999", "\"seed\": 18446744073709551616"}) {
            Http.Response r = Http.post(server.port(), "/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], " + field + "}");
            assertEquals(400, r.status(), field + " " + r.body());
            assertTrue(r.json().get("error").get("message").asText().contains("must be an integer"), r.body());
        }
        Http.Response tgi = Http.post(server.port(), "/generate",
                "{\"inputs\": \"Hi\", \"parameters\": {\"max_new_tokens\": 18446744073709551617}}");
        tgiRefusal(tgi, 422, "parameters.max_new_tokens must be an integer");
    }

    /** An OutOfMemoryError while a request is prepared is a 429 with a JSON reason and a metric, not an empty 500. */
    @Test
    void outOfMemoryIsAnsweredInJson() {
        GuardedFetcher.HostResolver exhausted = host -> {
            throw new OutOfMemoryError("Java heap space (simulated)");
        };
        try (IdeficsServer oom = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0)
                .resolver(exhausted).build())) {
            Http.Response r = Http.post(oom.port(), "/generate",
                    "{\"inputs\": \"User:![](http://images.test/cat.png)Hi\"}");
            JsonNode body = tgiRefusal(r, 429, "ran out of memory");
            assertEquals("overloaded", body.get("error_type").asText());
            Http.Response chat = Http.post(oom.port(), "/v1/chat/completions", "{\"messages\": [{\"role\": "
                    + "\"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": "
                    + "\"http://images.test/cat.png\"}}]}]}");
            assertEquals(429, chat.status(), chat.body());
            assertEquals("out_of_memory", chat.json().get("error").get("code").asText());
            assertEquals(1, oom.metrics().requests("generate", "overloaded"));
            assertEquals(200, Http.get(oom.port(), "/health").status());
        }
    }
}
