package dev.idefics4j.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shutdown drains: requests already accepted (running or queued) finish while new ones are refused with 503. */
class ShutdownTest {
    private static final String LONG = "{\"messages\": [{\"role\": \"user\", \"content\": \"Go on.\"}], "
            + "\"max_tokens\": 1000, \"min_tokens\": 1000, \"temperature\": 0, \"stream\": true}";

    @Test
    void drainsAcceptedRequestsAndRefusesNewOnes() throws Exception {
        IdeficsServer server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0)
                .drainTimeout(Duration.ofSeconds(30)).build());
        int port = server.port();
        Http.post(port, "/v1/chat/completions", LONG.replace("1000", "2")); // warm up
        server.pauseBatching();
        CompletableFuture<Http.Response> first = CompletableFuture.supplyAsync(() ->
                Http.post(port, "/v1/chat/completions", LONG));
        CompletableFuture<Http.Response> second = CompletableFuture.supplyAsync(() ->
                Http.post(port, "/v1/chat/completions", LONG));
        long end = System.nanoTime() + 10_000_000_000L;
        while (server.queueSize() < 2 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(2, server.queueSize(), "both requests are accepted and queued");
        // Steps held, the drain cannot end before the late request is sent, however fast the machine.
        server.holdSteps(true);
        CompletableFuture<Void> closing;
        try {
            closing = CompletableFuture.runAsync(server::close);
            while (Http.get(port, "/health").status() != 503 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            Http.Response late = Http.post(port, "/v1/chat/completions", LONG);
            assertEquals(503, late.status(), late.body());
            assertTrue(late.json().get("error").get("message").asText().contains("shutting down"));
        } finally {
            server.holdSteps(false);
        }
        for (CompletableFuture<Http.Response> accepted : java.util.List.of(first, second)) {
            Http.Response r = accepted.get();
            assertEquals(200, r.status());
            assertEquals("[DONE]", r.events().getLast(), "the accepted stream ran to its end");
        }
        closing.get();
    }
}
