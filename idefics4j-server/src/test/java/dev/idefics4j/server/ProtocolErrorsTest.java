package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the HTTP layer refuses before any route runs (a header block or URI too long, a bad Content-Length, no Host)
 * and a route asked with the wrong method: a JSON error in the API's shape with a status and a metric, never
 * Jetty's HTML page.
 */
class ProtocolErrorsTest {
    private static IdeficsServer server;

    @BeforeAll
    static void start() {
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private record Raw(int status, String headers, String body) {
        JsonNode json() {
            assertTrue(headers.toLowerCase(Locale.ROOT).contains("content-type: application/json"), headers + body);
            return Http.parse(body);
        }
    }

    /** Sends {@code request} as bytes on a fresh connection and reads the first response to its end. */
    private static Raw raw(String request) {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    String sofar = out.toString(StandardCharsets.ISO_8859_1);
                    int end = sofar.indexOf("\r\n\r\n");
                    if (end > 0) {
                        int length = contentLength(sofar.substring(0, end));
                        if (length >= 0 && sofar.length() >= end + 4 + length) {
                            break;
                        }
                    }
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // what arrived is the answer
            }
            String text = out.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String head = text.substring(0, end);
            return new Raw(Integer.parseInt(head.split(" ")[1]), head, text.substring(end + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).strip());
            }
        }
        return -1;
    }

    private static void tgiShaped(Raw r, int status) {
        assertEquals(status, r.status(), r.headers() + "\n" + r.body());
        JsonNode body = r.json();
        assertTrue(body.get("error").isTextual() && body.has("error_type"), body.toString());
    }

    @Test
    void headerBlockTooLarge() {
        tgiShaped(raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"), 431);
    }

    @Test
    void uriTooLong() {
        tgiShaped(raw("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414);
    }

    @Test
    void badContentLength() {
        tgiShaped(raw("POST /generate HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}"), 400);
    }

    @Test
    void missingHost() {
        tgiShaped(raw("GET /health HTTP/1.1\r\n\r\n"), 400);
    }

    @Test
    void wrongMethodIs405InTheApisShape() {
        Raw openAi = raw("GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(405, openAi.status(), openAi.body());
        assertEquals("invalid_request_error", openAi.json().get("error").get("type").asText());
        assertTrue(openAi.headers().toLowerCase(Locale.ROOT).contains("allow: post"), openAi.headers());
        Raw tgi = raw("PUT /generate HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        tgiShaped(tgi, 405);
        String metrics = Http.get(server.port(), "/metrics").body();
        assertTrue(metrics.contains("outcome=\"method_not_allowed\""), metrics);
    }

    /** HTTP/2 with prior knowledge (426 from Jetty) and an unknown version (505) are the client's errors. */
    @Test
    void otherProtocolVersions() {
        Raw h2 = raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        tgiShaped(h2, 426);
        assertTrue(h2.json().get("error").asText().contains("send HTTP/1.1"), h2.body());
        Raw h3 = raw("GET /health HTTP/3.0\r\nHost: x\r\n\r\n");
        tgiShaped(h3, 505);
        assertEquals("validation", h3.json().get("error_type").asText(), h3.body());
    }
}
