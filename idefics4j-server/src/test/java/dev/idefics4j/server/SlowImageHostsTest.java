package dev.idefics4j.server;

import dev.idefics4j.testing.SolidPng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow image hosts hold download slots, not queue places (issue 21 item 2): hosts that trickle one header line every
 * 200 ms occupy every download slot (holding neither queue places nor decode memory), a further image request is
 * refused with a 429 naming --max-fetches, and other clients' text requests, more of them than the queue holds, are
 * still answered; the slow downloads end at their deadline.
 */
class SlowImageHostsTest {
    private static final int FETCHES = 3;

    private static String tgi(String text) {
        return "{\"inputs\": \"" + text + "\", \"parameters\": {\"max_new_tokens\": 2}}";
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void slowDownloadsHoldFetchSlotsWhileTextRequestsAreServed() throws Exception {
        ServerConfig config = ServerConfig.builder().port(0).maxQueue(2).maxFetches(FETCHES)
                .fetchDeadline(Duration.ofSeconds(4)).allow("127.0.0.1/32").build();
        List<TricklingHost> hosts = new ArrayList<>();
        try (IdeficsServer server = IdeficsServer.start(TestModel.get(), config)) {
            int port = server.port();
            assertEquals(200, Http.post(port, "/generate", tgi("Warm up")).status());
            List<CompletableFuture<Http.Response>> slow = new ArrayList<>();
            // The first also has an image of its own, which is only decoded once its slow one has arrived.
            String decodable = "![](data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(SolidPng.rgb(1500, 1500, 90)) + ")";
            for (int i = 0; i < FETCHES; i++) {
                TricklingHost host = new TricklingHost();
                hosts.add(host);
                String images = (i == 0 ? decodable : "") + "![](" + host.url() + ")";
                slow.add(CompletableFuture.supplyAsync(() -> Http.post(port, "/generate", tgi("User:" + images
                        + "Hi"))));
            }
            long end = System.nanoTime() + 10_000_000_000L;
            while (server.metrics().fetches() < FETCHES && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertEquals(FETCHES, server.metrics().fetches(), "every download slot is held by a slow host");
            assertEquals(0, server.queueSize(), "downloads hold no queue places");
            assertEquals(0, server.metrics().decodeBytes(), "nor decode memory");

            Http.Response refused = Http.post(port, "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", "
                    + "\"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"" + hosts.getFirst().url()
                    + "\"}}]}]}");
            assertEquals(429, refused.status(), refused.body());
            assertEquals("too_many_fetches", refused.json().get("error").get("code").asText());
            assertTrue(refused.json().get("error").get("message").asText().contains("--max-fetches"),
                    refused.body());

            // More text requests than the queue holds, one after another: none is refused for the slow hosts.
            for (int i = 0; i < 4; i++) {
                Http.Response text = Http.post(port, "/generate", tgi("User: hello " + i));
                assertEquals(200, text.status(), text.body());
            }
            assertEquals(FETCHES, server.metrics().fetches(), "the slow hosts still hold their slots");
            assertTrue(server.metrics().render().contains("idefics4j_image_fetches " + FETCHES + "\n"));

            for (CompletableFuture<Http.Response> f : slow) {
                Http.Response r = f.get();
                assertEquals(422, r.status(), r.body());
                assertTrue(r.json().get("error").asText().contains("deadline"), r.body());
            }
            assertEquals(0, server.metrics().fetches());
            assertEquals(1, server.metrics().requests("chat_completions", "overloaded"));
        } finally {
            for (TricklingHost host : hosts) {
                host.close();
            }
        }
    }
}
