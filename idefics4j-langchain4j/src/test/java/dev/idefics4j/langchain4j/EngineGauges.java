package dev.idefics4j.langchain4j;

import dev.idefics4j.server.Metrics;

/** Reads one series of the engine's metrics from their Prometheus text, as a scraper would. */
final class EngineGauges {
    private EngineGauges() {
    }

    static long value(Metrics metrics, String series) {
        for (String line : metrics.render().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Long.parseLong(line.substring(series.length() + 1).strip());
            }
        }
        throw new AssertionError("no series " + series + " in\n" + metrics.render());
    }

    static long generatedTokens(Metrics metrics) {
        return value(metrics, "idefics4j_generated_tokens_total");
    }

    static long batchSize(Metrics metrics) {
        return value(metrics, "idefics4j_batch_size");
    }

    /** Waits (up to 10 s) until the running batch is empty. */
    static void awaitEmptyBatch(Metrics metrics) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (batchSize(metrics) > 0 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
    }
}
