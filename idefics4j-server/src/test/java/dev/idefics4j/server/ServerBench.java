package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Throughput and time to first token on the tiny model, 1 client against 8 concurrent clients (each request a chat
 * with an image, greedy, 64 new tokens: {@code min_tokens} keeps the random model from ending early). Not part of the suite: run with
 * {@code -Dtest=ServerBench -Didefics4j.bench=true}.
 */
class ServerBench {
    private static final int REQUESTS = 48;

    @Test
    void oneVersusEightClients() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("idefics4j.bench"), "benchmark: set -Didefics4j.bench=true");
        try (ImageHost images = new ImageHost();
             IdeficsServer server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0)
                     .allow("127.0.0.1/32").build())) {
            String image = images.url("/img/cat_rgb_97x61.jpg");
            run(server, image, 1, 16); // warm-up
            for (int clients : new int[]{1, 8, 1, 8}) {
                run(server, image, clients, REQUESTS);
            }
        }
    }

    private static void run(IdeficsServer server, String image, int clients, int requests) throws Exception {
        double ttftSum0 = metric(server, "idefics4j_time_to_first_token_seconds_sum");
        double ttftCount0 = metric(server, "idefics4j_time_to_first_token_seconds_count");
        long start = System.nanoTime();
        List<Future<Integer>> tokens = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients, Thread.ofVirtual().factory())) {
            for (int i = 0; i < requests; i++) {
                String body = "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": "
                        + "\"Question " + i + ": what is in this image?\"}, {\"type\": \"image_url\", \"image_url\": "
                        + "{\"url\": \"" + image + "\"}}]}], \"max_tokens\": 64, \"min_tokens\": 64, \"temperature\": 0}";
                tokens.add(pool.submit(() -> {
                    JsonNode r = Http.post(server.port(), "/v1/chat/completions", body).json();
                    return r.get("usage").get("completion_tokens").asInt();
                }));
            }
            int total = 0;
            for (Future<Integer> t : tokens) {
                total += t.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double ttft = (metric(server, "idefics4j_time_to_first_token_seconds_sum") - ttftSum0)
                    / (metric(server, "idefics4j_time_to_first_token_seconds_count") - ttftCount0);
            System.out.printf(Locale.ROOT, "BENCH clients=%d requests=%d tokens=%d: %.1f requests/s, %.0f tokens/s, "
                            + "mean time to first token %.1f ms, %.1f tokens/request%n", clients, requests, total,
                    requests / seconds, total / seconds, ttft * 1000, total / (double) requests);
        }
    }

    private static double metric(IdeficsServer server, String name) {
        for (String line : server.metrics().render().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new IllegalStateException(name);
    }
}
