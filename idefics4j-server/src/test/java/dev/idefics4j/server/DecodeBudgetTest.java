package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.image.DecodeMemory;
import dev.idefics4j.testing.SolidPng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Image decodes are admitted against the server's decode memory budget (issue 21 item 4): a valid 9400 x 9400 PNG
 * of a few hundred KB, under the pixel cap, needs 265 MB decoded; with a 64 MiB budget several at once each get a
 * 413 naming the setting, before any pixel is allocated, while /health answers; a decode that finds the budget held
 * gets a 429; the budget's gauge returns to zero.
 */
class DecodeBudgetTest {
    /** One thread per client, so that all are in flight at once (the common pool has one thread on two cores). */
    private static final Executor CLIENT_THREADS = Executors.newVirtualThreadPerTaskExecutor();
    private static final long BUDGET = 64L << 20;
    private static IdeficsServer server;
    private static String bomb;

    @BeforeAll
    static void start() {
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).maxDecodeBytes(BUDGET).build());
        bomb = dataUrl(SolidPng.rgb(9400, 9400, 200));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String dataUrl(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    private static Http.Response tgi(String image) {
        return Http.post(server.port(), "/generate", "{\"inputs\": \"User:![](" + image + ")Hi\", "
                + "\"parameters\": {\"max_new_tokens\": 2}}");
    }

    private static Http.Response chat(String image) {
        return Http.post(server.port(), "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": "
                + "[{\"type\": \"image_url\", \"image_url\": {\"url\": \"" + image + "\"}}, {\"type\": \"text\", "
                + "\"text\": \"Hi\"}]}], \"max_tokens\": 2}");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void imagesLargerThanTheWholeBudgetAre413sWhileTheServerStaysHealthy() throws Exception {
        long refusedBefore = server.metrics().requests("generate", "too_large");
        List<CompletableFuture<Http.Response>> tgi = new ArrayList<>();
        List<CompletableFuture<Http.Response>> openAi = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tgi.add(CompletableFuture.supplyAsync(() -> tgi(bomb), CLIENT_THREADS));
            openAi.add(CompletableFuture.supplyAsync(() -> chat(bomb), CLIENT_THREADS));
        }
        long start = System.nanoTime();
        Http.Response health = Http.get(server.port(), "/health");
        assertEquals(200, health.status());
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "/health answered within a second");
        for (CompletableFuture<Http.Response> f : tgi) {
            Http.Response r = f.get();
            assertEquals(413, r.status(), r.body());
            JsonNode body = r.json();
            String error = body.get("error").asText();
            assertTrue(error.contains("9400x9400") && error.contains("--max-decode-bytes")
                    && error.contains(BUDGET + " bytes"), error);
            assertEquals("validation", body.get("error_type").asText());
        }
        for (CompletableFuture<Http.Response> f : openAi) {
            Http.Response r = f.get();
            assertEquals(413, r.status(), r.body());
            JsonNode error = r.json().get("error");
            assertEquals("decode_memory_exceeded", error.get("code").asText());
            assertEquals("messages", error.get("param").asText());
            assertTrue(error.get("message").asText().contains("--max-decode-bytes"), error.toString());
        }
        assertEquals(refusedBefore + 4, server.metrics().requests("generate", "too_large"));
        assertEquals(0, server.metrics().decodeBytes(), "the budget's gauge is back to zero");
        assertTrue(server.metrics().render().contains("idefics4j_decode_bytes 0\n"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDecodeThatFindsTheBudgetHeldIs429AndGoesThroughOnceItIsFree() {
        String image = dataUrl(SolidPng.rgb(1500, 1500, 90)); // 6.75 MB decoded, well within the budget alone
        long overloadedBefore = server.metrics().requests("chat_completions", "overloaded");
        // Other requests' decodes hold all but 4 MiB of the budget.
        try (DecodeBudget.Account others = server.decodeBudget().account()) {
            others.reserve("other requests' images", 1, 1, BUDGET - (4L << 20));
            Http.Response busy = chat(image);
            assertEquals(429, busy.status(), busy.body());
            JsonNode error = busy.json().get("error");
            assertEquals("decode_memory_busy", error.get("code").asText());
            assertTrue(error.get("message").asText().contains("--max-decode-bytes")
                    && error.get("message").asText().contains("1500x1500"), error.toString());
            Http.Response tgiBusy = tgi(image);
            assertEquals(429, tgiBusy.status(), tgiBusy.body());
            assertEquals("overloaded", tgiBusy.json().get("error_type").asText());
        }
        assertEquals(overloadedBefore + 1, server.metrics().requests("chat_completions", "overloaded"));
        Http.Response free = chat(image);
        assertEquals(200, free.status(), free.body());
        assertEquals(0, server.metrics().decodeBytes());
    }

    /** Many decodes at once within a budget that fits two: each answered 200 or 429 in JSON, never an empty 500. */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aBurstOfLargeImagesGetsAnswersOrJson429s() throws Exception {
        String image = dataUrl(SolidPng.rgba(2600, 2600, 120)); // 7 bytes a pixel at the peak: 47 MB
        List<CompletableFuture<Http.Response>> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            boolean openAi = i % 2 == 0;
            burst.add(CompletableFuture.supplyAsync(() -> openAi ? chat(image) : tgi(image), CLIENT_THREADS));
        }
        int answered = 0;
        for (CompletableFuture<Http.Response> f : burst) {
            Http.Response r = f.get();
            assertTrue(r.status() == 200 || r.status() == 429, r.status() + " " + r.body());
            if (r.status() == 429) {
                assertTrue(r.body().contains("--max-decode-bytes"), r.body());
            } else {
                answered++;
            }
        }
        assertTrue(answered >= 1, "at least the first decode got through");
        assertEquals(0, server.metrics().decodeBytes(), "the budget's gauge is back to zero");
    }

    @Test
    void infoReportsTheBudgetAndTheDownloadLimit() {
        JsonNode info = Http.get(server.port(), "/info").json();
        assertEquals(BUDGET, info.get("max_decode_bytes").asLong());
        assertEquals(ServerConfig.builder().build().maxFetches(), info.get("max_fetches").asInt());
    }

    /** A request's decoded images stay in its account until processed: together they may not pass the budget. */
    @Test
    void anAccountKeepsItsDecodedImagesUntilClosed() {
        DecodeBudget budget = new DecodeBudget(1000, LimitNames.SERVER);
        try (DecodeBudget.Account request = budget.account()) {
            DecodeMemory.Reservation first = request.reserve("a.png", 10, 10, 600);
            assertEquals(600, budget.used());
            first.release(300); // the RGB image stays
            assertEquals(300, budget.used());
            DecodeBudget.Refusal whole = assertThrows(DecodeBudget.Refusal.class,
                    () -> request.reserve("b.png", 10, 20, 800));
            assertEquals(ApiError.Kind.TOO_LARGE, whole.error("inputs").kind());
            assertTrue(whole.getMessage().contains("on top of the 300 bytes"), whole.getMessage());
            try (DecodeBudget.Account other = budget.account()) {
                DecodeBudget.Refusal busy = assertThrows(DecodeBudget.Refusal.class,
                        () -> other.reserve("c.png", 10, 20, 800));
                assertEquals(ApiError.Kind.OVERLOADED, busy.error("inputs").kind());
                other.reserve("d.png", 10, 10, 700).release(0);
            }
            assertEquals(300, budget.used());
        }
        assertEquals(0, budget.used());
    }
}
