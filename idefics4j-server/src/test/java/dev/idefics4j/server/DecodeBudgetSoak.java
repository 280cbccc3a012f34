package dev.idefics4j.server;

import dev.idefics4j.testing.SolidPng;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21's memory attack replayed: twelve 9400 x 9400 PNGs (under the pixel cap, a few hundred KB each) sent at
 * once to a server whose decode budget is what {@code -Xmx1g} gives by default (512 MiB). Prints the answers, the
 * slowest /health during the burst and this JVM's resident memory before, at its peak and after. Not part of the
 * suite: run with {@code -Dtest=DecodeBudgetSoak -Didefics4j.soak=true}.
 */
class DecodeBudgetSoak {
    /** One thread per client, so that all are in flight at once (the common pool has one thread on two cores). */
    private static final Executor CLIENT_THREADS = Executors.newVirtualThreadPerTaskExecutor();
    private static final int CLIENTS = 12;

    @Test
    void twelveLargeImagesAtOnce() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("idefics4j.soak"), "soak: set -Didefics4j.soak=true");
        String image = "data:image/png;base64," + Base64.getEncoder().encodeToString(SolidPng.rgb(9400, 9400, 200));
        String body = "{\"inputs\": \"User:![](" + image + ")Hi\", \"parameters\": {\"max_new_tokens\": 2}}";
        try (IdeficsServer server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0)
                .maxDecodeBytes(512L << 20).build())) {
            Http.post(server.port(), "/generate", "{\"inputs\": \"Warm up\", \"parameters\": {\"max_new_tokens\": 1}}");
            long rssBefore = status("VmRSS");
            long start = System.nanoTime();
            List<CompletableFuture<Http.Response>> burst = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                burst.add(CompletableFuture.supplyAsync(() -> Http.post(server.port(), "/generate", body), CLIENT_THREADS));
            }
            long slowestHealth = 0;
            while (!burst.stream().allMatch(CompletableFuture::isDone)) {
                long t = System.nanoTime();
                assertEquals(200, Http.get(server.port(), "/health").status());
                slowestHealth = Math.max(slowestHealth, System.nanoTime() - t);
                Thread.sleep(50);
            }
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (CompletableFuture<Http.Response> f : burst) {
                Http.Response r = f.get();
                statuses.merge(r.status(), 1, Integer::sum);
                assertTrue(r.status() == 200 || r.body().contains("--max-decode-bytes"), r.status() + " " + r.body());
            }
            System.gc();
            System.out.printf("%d x 9400x9400 PNG (%d KB) at once, budget 512 MiB: statuses %s in %.1f s; slowest "
                            + "/health %.0f ms; VmRSS %d MB before, %d MB after; VmHWM %d MB; decode gauge %d%n",
                    CLIENTS, image.length() * 3 / 4 / 1024, statuses, (System.nanoTime() - start) / 1e9,
                    slowestHealth / 1e6, rssBefore >> 10, status("VmRSS") >> 10, status("VmHWM") >> 10,
                    server.metrics().decodeBytes());
            assertEquals(0, server.metrics().decodeBytes());
        }
    }

    /** A line of /proc/self/status in KiB. */
    private static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
