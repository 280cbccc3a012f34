package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.image.ImageLimits;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each limit and refusal, through the HTTP API with small limits: the API key, token limits, image count, body
 * size, image byte cap (announced, while reading, data URL), pixel cap, read timeout, redirects (counted and
 * re-checked), local files only from the media folder, and URL-looking text that must not bypass the checks.
 */
class LimitsTest {
    private static final String KEY = "Bearer secret";
    private static ImageHost images;
    private static IdeficsServer server;

    @BeforeAll
    static void start() {
        images = new ImageHost();
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).apiKey("secret")
                .maxInputTokens(40).maxTotalTokens(60).maxImages(2).maxRequestBytes(64 * 1024)
                .images(new ImageLimits(20_000, 1_000_000, Duration.ofSeconds(1), Duration.ofMillis(500), 2))
                .allow("127.0.0.1/32").mediaDir(TestData.fixture("images")).build());
        post(chat("Warm up", 1)); // the first request of a JVM pays for class loading; the timing tests must not
    }

    @AfterAll
    static void stop() {
        server.close();
        images.close();
    }

    /** A chat with one user turn: the text, then each image reference. */
    private static String chat(String text, Integer maxTokens, String... imageRefs) {
        ObjectNode req = Http.JSON.createObjectNode();
        ArrayNode content = Http.JSON.createArrayNode();
        content.addObject().put("type", "text").put("text", text);
        for (String ref : imageRefs) {
            content.addObject().put("type", "image_url").putObject("image_url").put("url", ref);
        }
        req.putArray("messages").addObject().put("role", "user").set("content", content);
        req.put("temperature", 0);
        if (maxTokens != null) {
            req.put("max_tokens", maxTokens);
        }
        return req.toString();
    }

    private static Http.Response post(String body) {
        return Http.post(server.port(), "/v1/chat/completions", body, "Authorization", KEY);
    }

    /** Asserts an OpenAI 400 error whose message contains {@code fragment}; returns the error object. */
    private static JsonNode refused(Http.Response r, String fragment) {
        assertEquals(400, r.status(), r.body());
        JsonNode error = r.json().get("error");
        assertEquals("invalid_request_error", error.get("type").asText());
        assertTrue(error.get("message").asText().contains(fragment), error.get("message").asText());
        return error;
    }

    @Test
    void apiKeyOnEveryRouteButHealth() {
        Http.Response none = Http.post(server.port(), "/v1/chat/completions", chat("Hi", 2));
        assertEquals(401, none.status());
        assertEquals("authentication_error", none.json().get("error").get("type").asText());
        assertEquals(401, Http.post(server.port(), "/v1/chat/completions", chat("Hi", 2), "Authorization",
                "Bearer wrong").status());
        Http.Response tgi = Http.post(server.port(), "/generate", "{\"inputs\": \"Hi\"}");
        assertEquals(401, tgi.status());
        assertEquals("authentication", tgi.json().get("error_type").asText());
        assertEquals(401, Http.get(server.port(), "/metrics").status());
        assertEquals(200, Http.get(server.port(), "/health").status());
        assertEquals(200, post(chat("Hi", 2)).status());
        // Refusals are counted under their route, unknown routes under "unknown".
        assertTrue(server.metrics().requests("chat_completions", "unauthorized") >= 2);
        assertTrue(server.metrics().requests("generate", "unauthorized") >= 1);
        assertEquals(404, Http.get(server.port(), "/nowhere", "Authorization", KEY).status());
        String metrics = Http.get(server.port(), "/metrics", "Authorization", KEY).body();
        assertTrue(metrics.contains("idefics4j_requests_total{route=\"metrics\",outcome=\"unauthorized\"} "),
                metrics);
        assertTrue(metrics.contains("idefics4j_requests_total{route=\"unknown\",outcome=\"not_found\"} "), metrics);
    }

    @Test
    void tokenLimits() {
        refused(post(chat("word ".repeat(60), 2)), "more than this server's limit of 40 input tokens "
                + "(its --max-input-tokens)");
        // Beyond the tokenizer's model_max_length (2048) it is still the server's limit that is named.
        JsonNode tooLong = refused(post(chat("word ".repeat(2100), 2)), "more than this server's limit of 40 input");
        assertTrue(!tooLong.get("message").asText().contains("model_max_length"), tooLong.toString());
        JsonNode error = refused(post(chat("Hi", 59)), "ask for at most");
        assertTrue(error.get("message").asText().contains("--max-total-tokens"), error.toString());
        assertEquals("max_tokens", error.get("param").asText());
        // Without max_tokens the answer may take what the total leaves.
        JsonNode usage = post(chat("Hi", null)).json().get("usage");
        assertTrue(usage.get("total_tokens").asInt() <= 60, usage.toString());
        // vLLM's min_tokens holds the end of sequence back.
        ObjectNode atLeast = (ObjectNode) Http.parse(chat("Hi", 7));
        atLeast.put("min_tokens", 7);
        assertEquals(7, post(atLeast.toString()).json().get("usage").get("completion_tokens").asInt());
        refused(post(atLeast.put("min_tokens", 8).toString()), "min_tokens");
    }

    /** An empty stop string (what some clients send for "none") stops nothing; more than four strings is refused. */
    @Test
    void stopStrings() {
        ObjectNode empty = (ObjectNode) Http.parse(chat("Hi", 3));
        empty.put("stop", "");
        assertEquals(200, post(empty.toString()).status());
        ObjectNode five = (ObjectNode) Http.parse(chat("Hi", 3));
        five.putArray("stop").add("a").add("b").add("c").add("d").add("e");
        refused(post(five.toString()), "stop takes at most 4 strings, got 5");
    }

    @Test
    void imageCountBeforeAnyFetch() {
        String url = images.url("/slow");
        long start = System.nanoTime();
        refused(post(chat("Three?", 2, url, url, url)), "3 images, more than the limit of 2");
        assertTrue(System.nanoTime() - start < 400_000_000L, "refused without fetching");
    }

    @Test
    void bodyLimit() {
        Http.Response r = post(chat("x".repeat(70 * 1024), 2));
        assertEquals(413, r.status());
        assertTrue(r.json().get("error").get("message").asText().contains("more than the limit of 65536 bytes"));
    }

    /** A chunked upload (no Content-Length) is refused once it passes the limit, and the 413 reaches the client. */
    @Test
    void chunkedBodyLimit() throws Exception {
        byte[] chunk = ("x".repeat(8 * 1024)).getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + KEY
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 10; i++) { // 80 KiB against a 64 KiB limit
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", head);
        }
    }

    @Test
    void imageByteCap() throws Exception {
        refused(post(chat("Big?", 2, images.url("/img/rocket_rgb_200x320.jpg"))), "announces 22677 bytes");
        refused(post(chat("Endless?", 2, images.url("/endless"))), "exceeds the limit of 20000 bytes");
        refused(post(chat("Huge?", 2, images.url("/huge"))), "more than the limit of 20000 bytes");
        byte[] jpg = Files.readAllBytes(TestData.fixture("images/rocket_rgb_200x320.jpg"));
        String dataUrl = "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(jpg);
        refused(post(chat("Data?", 2, dataUrl)), "more than the limit of 20000 bytes");
    }

    @Test
    void pixelCapFromTheHeader() {
        refused(post(chat("Bomb?", 2, images.url("/bomb.png"))), "more than the limit of 1000000");
    }

    @Test
    void readTimeout() {
        long start = System.nanoTime();
        refused(post(chat("Slow?", 2, images.url("/slow"))), "read timed out");
        assertTrue(System.nanoTime() - start < 2_500_000_000L, "gave up after the read timeout");
    }

    @Test
    void redirectsAreCountedAndRechecked() {
        // /redirect/n takes n + 1 redirects; the limit here is 2.
        assertEquals(200, post(chat("Moved?", 2, images.url("/redirect/1"))).status());
        refused(post(chat("Loop?", 2, images.url("/redirect/2"))), "too many redirects");
        refused(post(chat("Elsewhere?", 2, images.url("/redirect-to-127.0.0.2"))), "127.0.0.2");
    }

    @Test
    void localFilesOnlyFromTheMediaFolder() {
        assertEquals(200, post(chat("Local?", 2, "cat_small_20x16.png")).status());
        refused(post(chat("Escape?", 2, "../README.md")), "outside the media folder");
        refused(post(chat("Escape?", 2, "file:///etc/hostname")), "outside the media folder");
        refused(post(chat("Scheme?", 2, "ftp://127.0.0.1/x.png")), "unsupported image URL scheme");
    }

    @Test
    void urlLookingTextIsFetchedThroughTheChecks() {
        // The processor reads a text item that is only a URL as an image: it must not fetch it on its own.
        ObjectNode req = (ObjectNode) Http.parse(chat("ignored", 2));
        ArrayNode content = (ArrayNode) req.get("messages").get(0).get("content");
        content.removeAll();
        content.addObject().put("type", "image_url").putObject("image_url").put("url", "cat_small_20x16.png");
        content.addObject().put("type", "text").put("text", "http://127.0.0.2:9/secret");
        refused(post(req.toString()), "127.0.0.2");
    }
}
