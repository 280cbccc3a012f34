package dev.idefics4j.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * What {@code GET /metrics} reports, in the Prometheus text format: requests by route and outcome, the queue and
 * the running batch, the requests being prepared, image downloads in flight and the decode memory lent, prompt and
 * generated tokens, the sequences each decoding step ran, and the latency to the
 * first token and between tokens.
 */
public final class Metrics {
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final Histogram timeToFirstToken = new Histogram("idefics4j_time_to_first_token_seconds",
            "Time from a request's arrival to its first generated token.",
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
    private final Histogram timePerToken = new Histogram("idefics4j_time_per_output_token_seconds",
            "Time between two generated tokens of one sequence.",
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);
    private final Histogram stepSequences = new Histogram("idefics4j_step_sequences",
            "Sequences decoded together in one step of the running batch.", 1, 2, 4, 8, 16, 32, 64, 128);
    private volatile IntSupplier queueSize = () -> 0;
    private volatile IntSupplier batchSize = () -> 0;
    private volatile IntSupplier preparing = () -> 0;
    private volatile IntSupplier fetches = () -> 0;
    private volatile LongSupplier decodeBytes = () -> 0;

    /** Where the gauges read from (the batching engine). */
    void gauges(IntSupplier queue, IntSupplier batch) {
        this.queueSize = queue;
        this.batchSize = batch;
    }

    /** Where the gauges of request preparation read from: the engine and the request preparer. */
    void preparationGauges(IntSupplier preparing, IntSupplier fetches, LongSupplier decodeBytes) {
        this.preparing = preparing;
        this.fetches = fetches;
        this.decodeBytes = decodeBytes;
    }

    /** Bytes the decode memory budget lends now. */
    public long decodeBytes() {
        return decodeBytes.getAsLong();
    }

    /** Image downloads in flight now. */
    public int fetches() {
        return fetches.getAsInt();
    }

    public void request(String route, String outcome) {
        requests.computeIfAbsent(route + "\u0000" + outcome, k -> new LongAdder()).increment();
    }

    public long requests(String route, String outcome) {
        LongAdder a = requests.get(route + "\u0000" + outcome);
        return a == null ? 0 : a.sum();
    }

    void promptTokens(int n) {
        promptTokens.add(n);
    }

    /** One decoding step of the batch, which generated a token for each of {@code sequences}. */
    void step(int sequences) {
        generatedTokens.add(sequences);
        stepSequences.observe(sequences);
    }

    /** Decoding steps that ran more than one sequence: requests that shared the batch. */
    public long sharedSteps() {
        return stepSequences.countAbove(1);
    }

    void timeToFirstToken(double seconds) {
        timeToFirstToken.observe(seconds);
    }

    void timePerToken(double seconds) {
        timePerToken.observe(seconds);
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP idefics4j_requests_total Requests by route and outcome.\n");
        out.append("# TYPE idefics4j_requests_total counter\n");
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(requests).entrySet()) {
            String[] key = e.getKey().split("\u0000");
            out.append("idefics4j_requests_total{route=\"").append(key[0]).append("\",outcome=\"").append(key[1])
                    .append("\"} ").append(e.getValue().sum()).append('\n');
        }
        gauge(out, "idefics4j_queue_size", "Requests accepted and waiting to join the running batch.",
                queueSize.getAsInt());
        gauge(out, "idefics4j_batch_size", "Sequences in the running batch.", batchSize.getAsInt());
        gauge(out, "idefics4j_preparing_requests", "Requests whose images are being fetched and decoded, not yet "
                + "queued.", preparing.getAsInt());
        gauge(out, "idefics4j_image_fetches", "Image downloads in flight.", fetches.getAsInt());
        gauge(out, "idefics4j_decode_bytes", "Bytes of the decode memory budget held by image decodes and by "
                + "decoded images not yet processed.", decodeBytes.getAsLong());
        counter(out, "idefics4j_prompt_tokens_total", "Prompt tokens of the requests that started generating.",
                promptTokens.sum());
        counter(out, "idefics4j_generated_tokens_total", "Tokens generated.", generatedTokens.sum());
        stepSequences.render(out);
        timeToFirstToken.render(out);
        timePerToken.render(out);
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
    }
}
