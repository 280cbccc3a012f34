package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.processor.PromptItem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server under concurrent load on loopback: 16 clients at once each get exactly their single-run answer (so
 * continuous batching changes nothing), a burst beyond the queue is answered 429 while the accepted requests still
 * complete, and a streaming client that hangs up is cancelled and leaves the batch.
 */
class LoadTest {
    private static final int QUEUE = 16;
    private static ImageHost images;
    private static IdeficsServer server;

    @BeforeAll
    static void start() {
        images = new ImageHost();
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).maxBatchSize(8)
                .maxQueue(QUEUE).allow("127.0.0.1/32").build());
    }

    @AfterAll
    static void stop() {
        server.close();
        images.close();
    }

    private static final String[] PICTURES = {null, "cat_rgb_97x61.jpg", "cat_small_20x16.png",
            "camera_gray_50x40.png"};

    /** Client i's chat: its own question, an image for three clients in four, and its own max_tokens. */
    private static String body(int i, boolean stream) {
        ObjectNode req = Http.JSON.createObjectNode();
        ArrayNode content = Http.JSON.createArrayNode();
        content.addObject().put("type", "text").put("text", "Question number " + i + "?");
        String picture = PICTURES[i % PICTURES.length];
        if (picture != null) {
            content.addObject().put("type", "image_url").putObject("image_url").put("url", images.url("/img/" + picture));
        }
        req.putArray("messages").addObject().put("role", "user").set("content", content);
        req.put("max_tokens", 4 + i % 13).put("temperature", 0).put("stream", stream);
        return req.toString();
    }

    private static String expected(int i) {
        String picture = PICTURES[i % PICTURES.length];
        List<PromptItem> prompt = picture == null
                ? List.of(PromptItem.text("User: Question number " + i + "?<end_of_utterance>"),
                PromptItem.text("\nAssistant:"))
                : TestModel.chatTurn("Question number " + i + "?", picture);
        return TestModel.greedy(prompt, 4 + i % 13).stripLeading();
    }

    private static String answer(Http.Response r, boolean stream) {
        assertEquals(200, r.status(), r.body());
        if (!stream) {
            return r.json().get("choices").get(0).get("message").get("content").asText();
        }
        StringBuilder text = new StringBuilder();
        for (String data : r.events()) {
            if (!data.equals("[DONE]")) {
                text.append(Http.parse(data).get("choices").get(0).path("delta").path("content").asText(""));
            }
        }
        return text.toString();
    }

    @Test
    void sixteenConcurrentClientsGetTheirSingleRunAnswers() throws Exception {
        int clients = 16;
        List<String> want = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            want.add(expected(i));
        }
        long sharedBefore = server.metrics().sharedSteps();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            // A long request runs first; the sixteen are held out of the batch until all are prepared, then join
            // it together, so they share a batch however fast the machine (on a fast one the sixteen, sent one by
            // one, each finished alone before the next arrived).
            String longBody = "{\"messages\": [{\"role\": \"user\", \"content\": \"Go on and on.\"}], "
                    + "\"max_tokens\": 400, \"min_tokens\": 400, \"temperature\": 0}";
            Future<Http.Response> longOne = pool.submit(() -> Http.post(server.port(), "/v1/chat/completions",
                    longBody));
            long started = System.nanoTime() + 10_000_000_000L;
            while (server.runningSequences() == 0 && System.nanoTime() < started) {
                Thread.sleep(1);
            }
            List<Future<String>> answers = new ArrayList<>();
            server.pauseBatching();
            try {
                for (int i = 0; i < clients; i++) {
                    int client = i;
                    boolean stream = i % 2 == 1;
                    answers.add(pool.submit(() -> answer(Http.post(server.port(), "/v1/chat/completions",
                            body(client, stream)), stream)));
                }
                long prepared = System.nanoTime() + 30_000_000_000L;
                while (server.waitingJobs() < clients && System.nanoTime() < prepared) {
                    Thread.sleep(2);
                }
                assertEquals(clients, server.waitingJobs(), "all sixteen prepared and waiting");
            } finally {
                server.resumeBatching();
            }
            for (int i = 0; i < clients; i++) {
                assertEquals(want.get(i), answers.get(i).get(), "client " + i);
            }
            assertEquals(200, longOne.get().status(), longOne.get().body());
        }
        assertTrue(server.metrics().sharedSteps() > sharedBefore, "requests shared the running batch");
    }

    @Test
    void aBurstBeyondTheQueueGets429sWhileAcceptedRequestsComplete() throws Exception {
        int burst = QUEUE + 8;
        server.pauseBatching();
        List<Future<Http.Response>> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                for (int i = 0; i < burst; i++) {
                    int client = i;
                    responses.add(pool.submit(() -> Http.post(server.port(), "/v1/chat/completions", body(client, false))));
                }
                long end = System.nanoTime() + 20_000_000_000L;
                while (responses.stream().filter(Future::isDone).count() < burst - QUEUE && System.nanoTime() < end) {
                    Thread.sleep(5);
                }
                assertEquals(QUEUE, server.queueSize(), "the queue is full while batching is held");
            } finally {
                server.resumeBatching();
            }
            int ok = 0;
            int refused = 0;
            for (int i = 0; i < burst; i++) {
                Http.Response r = responses.get(i).get();
                if (r.status() == 429) {
                    refused++;
                    JsonNode error = r.json().get("error");
                    assertEquals("rate_limit_error", error.get("type").asText());
                    assertTrue(error.get("message").asText().contains("retry"), error.toString());
                } else {
                    assertEquals(expected(i), answer(r, false), "accepted request " + i);
                    ok++;
                }
            }
            assertEquals(QUEUE, ok);
            assertEquals(burst - QUEUE, refused);
        }
        assertTrue(server.metrics().requests("chat_completions", "overloaded") >= burst - QUEUE);
    }

    /**
     * A client that is not streaming hangs up while its answer is being generated: its handler, blocked waiting
     * for the answer, never writes, so only the server's notice of the closed connection can cancel it.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"chat_completions", "generate"})
    void aWaitingClientThatHangsUpIsCancelled(String route) throws Exception {
        long before = server.metrics().requests(route, "cancelled");
        String path = route.equals("generate") ? "/generate" : "/v1/chat/completions";
        String body = route.equals("generate")
                ? "{\"inputs\": \"Tell me everything.\", \"parameters\": {\"max_new_tokens\": 2000, "
                + "\"min_new_tokens\": 2000}}"
                : "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me everything.\"}], "
                + "\"max_tokens\": 2000, \"min_tokens\": 2000, \"temperature\": 0}";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            Http.sendPost(socket, path, body);
            long started = System.nanoTime() + 10_000_000_000L;
            while (server.runningSequences() == 0 && System.nanoTime() < started) {
                Thread.sleep(2);
            }
            assertTrue(server.runningSequences() > 0, "the request is being generated");
            // Held, it cannot finish its tokens before the hang-up is noticed (a probe every 250 ms; a fast
            // machine generates the 2000 in less).
            server.holdSteps(true);
            socket.setSoLinger(true, 0); // hang up hard, as a killed client does
        }
        try {
            long end = System.nanoTime() + 10_000_000_000L;
            while ((server.metrics().requests(route, "cancelled") == before || server.runningSequences() > 0)
                    && System.nanoTime() < end) {
                Thread.sleep(5);
            }
        } finally {
            server.holdSteps(false);
        }
        assertEquals(before + 1, server.metrics().requests(route, "cancelled"),
                "the request ended as cancelled, not after its 2000 tokens");
        assertEquals(0, server.runningSequences(), "its sequence left the batch");
    }

    @Test
    void aStreamingClientThatHangsUpIsCancelled() throws Exception {
        long before = server.metrics().requests("chat_completions", "cancelled");
        String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me everything.\"}], "
                + "\"max_tokens\": 2000, \"min_tokens\": 2000, \"temperature\": 0, \"stream\": true}";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            Http.sendPost(socket, "/v1/chat/completions", body);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("\"content\"")) {
                int n = in.read(buffer);
                assertTrue(n > 0, "the stream started");
                seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            socket.setSoLinger(true, 0); // hang up hard, as a killed client does
        }
        long end = System.nanoTime() + 10_000_000_000L;
        while ((server.metrics().requests("chat_completions", "cancelled") == before || server.runningSequences() > 0)
                && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(before + 1, server.metrics().requests("chat_completions", "cancelled"),
                "the request ended as cancelled, not after its 2000 tokens");
        assertEquals(0, server.runningSequences(), "its sequence left the batch");
    }
}
