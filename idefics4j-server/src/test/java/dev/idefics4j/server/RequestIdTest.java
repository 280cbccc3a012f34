package dev.idefics4j.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code x-request-id} on every response, refusals and streams included: the client's own echoed, a new one
 * otherwise (and in place of one that could forge log lines); the request's log line names it.
 */
class RequestIdTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Logger LOG = Logger.getLogger(IdeficsServer.class.getName());
    private static final List<String> LINES = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            LINES.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private static IdeficsServer server;
    private static Level oldLevel;

    @BeforeAll
    static void start() {
        oldLevel = LOG.getLevel();
        LOG.setLevel(Level.FINE);
        LOG.addHandler(CAPTURE);
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).apiKey("k").build());
    }

    @AfterAll
    static void stop() {
        server.close();
        LOG.removeHandler(CAPTURE);
        LOG.setLevel(oldLevel);
    }

    private static HttpResponse<String> send(String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void echoedOrMadeOnEveryResponse() throws Exception {
        HttpResponse<String> echoed = send("GET", "/health", null, "X-Request-Id", "client-42");
        assertEquals("client-42", echoed.headers().firstValue("x-request-id").orElseThrow());

        HttpResponse<String> made = send("GET", "/v1/models", null, "Authorization", "Bearer k");
        String id = made.headers().firstValue("x-request-id").orElseThrow();
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        assertNotEquals(id, send("GET", "/v1/models", null, "Authorization", "Bearer k").headers()
                .firstValue("x-request-id").orElseThrow(), "one per request");

        assertEquals("refused-1", send("GET", "/v1/models", null, "X-Request-Id", "refused-1").headers()
                .firstValue("x-request-id").orElseThrow(), "a 401 too");
        assertEquals("lost-1", send("GET", "/nowhere", null, "X-Request-Id", "lost-1").headers()
                .firstValue("x-request-id").orElseThrow(), "a 404 too");

        String chat = "{\"stream\": true, \"max_tokens\": 2, \"temperature\": 0, \"messages\": "
                + "[{\"role\": \"user\", \"content\": \"Hi\"}]}";
        HttpResponse<String> stream = send("POST", "/v1/chat/completions", chat, "Authorization", "Bearer k",
                "Content-Type", "application/json", "X-Request-Id", "stream-7");
        assertEquals(200, stream.statusCode(), stream.body());
        assertEquals("stream-7", stream.headers().firstValue("x-request-id").orElseThrow());

        String forged = send("GET", "/health", null, "X-Request-Id", "a b").headers().firstValue("x-request-id")
                .orElseThrow();
        assertTrue(forged.matches("[0-9a-f]{32}"), "a header with spaces is replaced: " + forged);
    }

    @Test
    void namedInTheRequestsLogLine() throws Exception {
        send("GET", "/v1/models", null, "Authorization", "Bearer k", "X-Request-Id", "logged-9");
        long end = System.nanoTime() + 5_000_000_000L;
        while (LINES.stream().noneMatch(l -> l.contains("logged-9")) && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        String line = LINES.stream().filter(l -> l.contains("logged-9")).findFirst().orElseThrow();
        assertTrue(line.contains("GET /v1/models -> 200"), line);
    }
}
