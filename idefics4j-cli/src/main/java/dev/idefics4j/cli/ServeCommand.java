package dev.idefics4j.cli;

import dev.idefics4j.Idefics;
import dev.idefics4j.image.ImageLimits;
import dev.idefics4j.server.IdeficsServer;
import dev.idefics4j.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the model over HTTP: OpenAI-compatible /v1/chat/completions, /v1/completions and "
                + "/v1/models, TGI-compatible /generate and /generate_stream, /health and /metrics, with continuous "
                + "batching, and a chat page at / to try it in a browser. "
                + "The model is loaded once; Ctrl-C stops after the accepted requests finish. See docs/SERVER.md."})
final class ServeCommand implements Callable<Integer> {
    private static final ServerConfig DEFAULTS = ServerConfig.builder().build();
    /** Held so the levels stay set (java.util.logging keeps loggers weakly): Jetty's start-up lines are noise here. */
    private static final List<Logger> QUIET = List.of(Logger.getLogger("org.eclipse.jetty"),
            Logger.getLogger("io.javalin"));

    @Mixin
    ModelOptions model;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = DEFAULTS.host();

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on; 0 picks one (default: ${DEFAULT-VALUE}).")
    int port = DEFAULTS.port();

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:IDEFICS4J_API_KEY}",
            description = "Require 'Authorization: Bearer KEY' on every route but /health (default: $IDEFICS4J_API_KEY).")
    String apiKey;

    @Option(names = "--model-name", paramLabel = "NAME", description = "Model id in /v1/models and responses "
            + "(default: the --model repo id or folder name; \"tiny\" for the bundled model).")
    String modelName;

    @Option(names = "--max-input-tokens", paramLabel = "N", description = "Longest prompt in tokens (default: ${DEFAULT-VALUE}).")
    int maxInputTokens = DEFAULTS.maxInputTokens();

    @Option(names = "--max-total-tokens", paramLabel = "N",
            description = "Longest prompt plus generation; the default max_tokens is what is left (default: ${DEFAULT-VALUE}).")
    int maxTotalTokens = DEFAULTS.maxTotalTokens();

    @Option(names = "--max-images", paramLabel = "N", description = "Images per request, history included (default: ${DEFAULT-VALUE}).")
    int maxImages = DEFAULTS.maxImages();

    @Option(names = "--max-request-bytes", paramLabel = "N", description = "Largest request body (default: ${DEFAULT-VALUE}).")
    long maxRequestBytes = DEFAULTS.maxRequestBytes();

    @Option(names = "--max-choices", paramLabel = "N", description = "Largest n per request (default: ${DEFAULT-VALUE}).")
    int maxChoices = DEFAULTS.maxChoices();

    @Option(names = "--max-batch-size", paramLabel = "N", description = "Sequences decoded together (default: ${DEFAULT-VALUE}).")
    int maxBatchSize = DEFAULTS.maxBatchSize();

    @Option(names = "--max-queue", paramLabel = "N", description = "Requests waiting for the batch before 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue = DEFAULTS.maxQueue();

    @Option(names = "--max-image-bytes", paramLabel = "N", description = "Per-image byte cap, held while reading (default: ${DEFAULT-VALUE}).")
    long maxImageBytes = DEFAULTS.images().maxEncodedBytes();

    @Option(names = "--max-image-pixels", paramLabel = "N", description = "Per-image pixel cap, from the header (default: ${DEFAULT-VALUE}).")
    long maxImagePixels = DEFAULTS.images().maxPixels();

    @Option(names = "--max-decode-bytes", paramLabel = "N", description = "Memory all requests' image decodes may "
            + "hold at once, reserved from each image's header: 413 for an image that needs more, 429 while other "
            + "requests hold it (default: half the maximum heap, here ${DEFAULT-VALUE}).")
    long maxDecodeBytes = DEFAULTS.maxDecodeBytes();

    @Option(names = "--max-fetches", paramLabel = "N", description = "Image downloads in flight across all requests "
            + "before 429 (default: ${DEFAULT-VALUE}).")
    int maxFetches = DEFAULTS.maxFetches();

    @Option(names = "--fetch-connect-timeout", paramLabel = "SECONDS", description = "Image fetch connect timeout (default: ${DEFAULT-VALUE}).")
    double connectTimeout = DEFAULTS.images().connectTimeout().toMillis() / 1000.0;

    @Option(names = "--fetch-read-timeout", paramLabel = "SECONDS", description = "Image fetch read timeout (default: ${DEFAULT-VALUE}).")
    double readTimeout = DEFAULTS.images().readTimeout().toMillis() / 1000.0;

    @Option(names = "--fetch-deadline", paramLabel = "SECONDS", description = "Longest whole image download (default: ${DEFAULT-VALUE}).")
    double fetchDeadline = DEFAULTS.fetchDeadline().toMillis() / 1000.0;

    @Option(names = "--max-redirects", paramLabel = "N", description = "Redirects followed per image (default: ${DEFAULT-VALUE}).")
    int maxRedirects = DEFAULTS.images().maxRedirects();

    @Option(names = "--allow", paramLabel = "CIDR", description = "Let image URLs reach this private, loopback or "
            + "link-local range (repeatable), e.g. --allow 10.0.0.0/8.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--media-dir", paramLabel = "DIR", description = "Folder local image files may be read from "
            + "(default: none; local files are refused).")
    Path mediaDir;

    @Option(names = "--drain-timeout", paramLabel = "SECONDS", description = "How long stopping waits for accepted "
            + "requests (default: ${DEFAULT-VALUE}).")
    double drainTimeout = DEFAULTS.drainTimeout().toMillis() / 1000.0;

    @Option(names = "--no-ui", negatable = false, description = "Serve the API alone: no chat page at / (it answers 404).")
    boolean noUi;

    ServerConfig serverConfig() {
        ServerConfig.Builder b = ServerConfig.builder().host(host).port(port).apiKey(apiKey).modelName(servedName())
                .maxInputTokens(maxInputTokens).maxTotalTokens(maxTotalTokens).maxImages(maxImages)
                .maxRequestBytes(maxRequestBytes).maxChoices(maxChoices).maxBatchSize(maxBatchSize).maxQueue(maxQueue)
                .images(new ImageLimits(maxImageBytes, maxImagePixels, seconds(connectTimeout), seconds(readTimeout),
                        maxRedirects))
                .maxDecodeBytes(maxDecodeBytes).maxFetches(maxFetches)
                .fetchDeadline(seconds(fetchDeadline)).mediaDir(mediaDir).drainTimeout(seconds(drainTimeout)).ui(!noUi);
        allow.forEach(b::allow);
        return b.build();
    }

    /** What clients call the model: the given name, the repo id, the folder's name, or "tiny" when bundled. */
    private String servedName() {
        if (modelName != null) {
            return modelName;
        }
        if (model == null || model.model == null || model.model.isBlank()) {
            return BundledModels.TINY;
        }
        Path dir = Path.of(model.model);
        return java.nio.file.Files.isDirectory(dir) && dir.toAbsolutePath().getFileName() != null
                ? dir.toAbsolutePath().getFileName().toString() : model.model;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = serverConfig();
        QUIET.forEach(l -> l.setLevel(Level.WARNING));
        Idefics idefics = Session.open(model);
        IdeficsServer server;
        // A failed start (the port in use) is logged by Javalin as SEVERE before it throws; the error line below
        // says it once, without the logger's two lines.
        Logger javalin = QUIET.get(1);
        javalin.setLevel(Level.OFF);
        try {
            server = IdeficsServer.start(idefics, config);
        } catch (RuntimeException e) {
            idefics.close();
            throw e;
        } finally {
            javalin.setLevel(Level.WARNING);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("idefics4j: stopping; finishing the accepted requests");
            server.close();
            idefics.close();
            stopped.countDown();
        }, "idefics4j-serve-shutdown"));
        String where = "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":"
                + server.port();
        System.err.println("idefics4j: serving " + config.modelName() + " on " + where
                + " (OpenAI: /v1/chat/completions, /v1/completions; TGI: /generate, /generate_stream; /health,"
                + " /metrics)");
        if (config.apiKey() == null && !isLoopback(config.host())) {
            System.err.println("idefics4j: warning: listening beyond loopback without --api-key");
        }
        stopped.await();
        return 0;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
