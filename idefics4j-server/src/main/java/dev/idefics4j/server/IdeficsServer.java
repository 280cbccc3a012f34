package dev.idefics4j.server;

import dev.idefics4j.Idefics;
import dev.idefics4j.image.ImageLoader;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The idefics4j HTTP server over one loaded model: OpenAI's {@code /v1/chat/completions}, {@code /v1/completions},
 * {@code /v1/models} and {@code /v1/models/{id}}, TGI's {@code /generate}, {@code /generate_stream}, {@code POST /}
 * and {@code /info}, plus {@code /health}, {@code /metrics} and a chat page at {@code GET /} ({@link ChatPage}).
 * Every response carries an {@code x-request-id}. Requests
 * run on Jetty's platform threads, images are decoded on their own ({@code ImageWork}); generation runs in the {@link BatchEngine}'s continuous batch. Closing it drains: new
 * requests get 503 while the accepted ones finish (up to the drain timeout).
 */
public final class IdeficsServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IdeficsServer.class.getName());
    /** The request attribute that names the route that took a request, for its metrics label. */
    private static final String ROUTE = "idefics4j.route";

    /** A route body that returns the outcome it ended with ("success", "cancelled"). */
    @FunctionalInterface
    private interface Route {
        String handle(Context ctx, long arrivalNanos) throws Exception;
    }

    private final Backend backend;
    private final ImageLoader imageLoader;
    private final Javalin app;
    private static final long RESPONSE_COMPLETION_MILLIS = 5_000;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final byte[] apiKey;
    private final boolean ui;
    private volatile boolean stopping;
    private boolean closed;

    private IdeficsServer(Idefics idefics, ServerConfig config) {
        Metrics metrics = new Metrics();
        imageLoader = new ImageLoader(config.images());
        BatchEngine engine = new BatchEngine(idefics.model(), idefics.processor(), metrics, config.maxBatchSize(),
                config.maxQueue());
        String name = config.modelName() != null ? config.modelName() : idefics.dir().getFileName().toString();
        RequestPreparer preparer = RequestPreparer.guarded(idefics, config, LimitNames.SERVER, imageLoader);
        metrics.preparationGauges(engine::preparing, preparer::fetchesInFlight, preparer::decodeBytesHeld);
        backend = new Backend(idefics, config, name, engine, preparer, metrics);
        apiKey = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
        ui = config.ui();
        OpenAiApi openAi = new OpenAiApi(backend);
        TgiApi tgi = new TgiApi(backend);
        app = Javalin.create(cfg -> {
            // Platform threads: the OS preempts CPU-bound request work (tokenizing a long prompt, parsing a large
            // body), where virtual threads would hold the few carrier threads and keep /health waiting.
            cfg.concurrency.useVirtualThreads = false;
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.compressionStrategy = CompressionStrategy.NONE; // streamed events must not wait in a gzip buffer
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();
            cfg.routes.before(RequestId::assign);
            cfg.requestLogger.http((ctx, ms) -> LOG.fine(() -> "request " + RequestId.of(ctx) + ": " + ctx.method()
                    + " " + ctx.path() + " -> " + ctx.statusCode() + " in " + Math.round(ms) + " ms"));
            cfg.routes.get("/health", ctx -> counted("health", ctx, (c, t) -> health(c)));
            if (ui) {
                cfg.routes.get("/", ctx -> counted("ui", ctx, (c, t) -> {
                    ChatPage.serve(c);
                    return "success";
                }));
            }
            cfg.routes.get("/metrics", ctx -> counted("metrics", ctx, (c, t) -> {
                c.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render());
                return "success";
            }));
            cfg.routes.get("/v1/models", ctx -> counted("models", ctx, (c, t) -> {
                openAi.models(c);
                return "success";
            }));
            // <id>, not {id}: a Hub repo id as model name has a slash in it.
            cfg.routes.get("/v1/models/<id>", ctx -> counted("model", ctx, (c, t) -> {
                openAi.model(c, c.pathParam("id"));
                return "success";
            }));
            cfg.routes.post("/v1/chat/completions", ctx -> counted("chat_completions", ctx, openAi::chatCompletions));
            cfg.routes.post("/v1/completions", ctx -> counted("completions", ctx, openAi::completions));
            cfg.routes.get("/info", ctx -> counted("info", ctx, (c, t) -> {
                tgi.info(c);
                return "success";
            }));
            cfg.routes.post("/generate", ctx -> counted("generate", ctx, tgi::generate));
            cfg.routes.post("/generate_stream", ctx -> counted("generate_stream", ctx, tgi::generateStream));
            cfg.routes.post("/", ctx -> counted("generate", ctx, tgi::compat));
            cfg.routes.exception(ApiError.class, (e, ctx) -> render(ctx, e));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(Level.SEVERE, "request " + RequestId.of(ctx) + " failed", e);
                render(ctx, new ApiError(ApiError.Kind.FAILED, "internal error: " + e));
            });
            cfg.routes.error(404, ctx -> {
                if (ctx.attribute(ROUTE) != null) {
                    return; // a route answered 404 itself (an unknown model id) and was counted
                }
                String allowed = allowedMethods(ctx.path());
                if (allowed != null) {
                    metrics.request("unknown", ApiError.Kind.METHOD_NOT_ALLOWED.outcome);
                    ctx.header("Allow", allowed);
                    render(ctx, new ApiError(ApiError.Kind.METHOD_NOT_ALLOWED, ctx.path() + " takes " + allowed
                            + ", not " + ctx.method() + "; see docs/SERVER.md for the endpoints"));
                    return;
                }
                metrics.request("unknown", ApiError.Kind.NOT_FOUND.outcome);
                render(ctx, new ApiError(ApiError.Kind.NOT_FOUND, "no route " + ctx.method() + " " + ctx.path()
                        + "; see docs/SERVER.md for the endpoints"));
            });
            cfg.jetty.modifyServer(server -> {
                server.setErrorHandler(new ProtocolErrorHandler(metrics));
                // Stopping waits for responses to be written to their end (a stream's last chunk goes out after
                // its handler returned), up to this bound, rather than cutting them off.
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(RESPONSE_COMPLETION_MILLIS);
            });
            cfg.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(
                    UriCompliance.DEFAULT.with("encoded slashes", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR)));
        });
    }

    /** The methods a route path takes, for a 405 to a request with another; null for no such route. */
    private String allowedMethods(String path) {
        return switch (path) {
            case "/health", "/metrics", "/v1/models", "/info" -> "GET";
            case "/v1/chat/completions", "/v1/completions", "/generate", "/generate_stream" -> "POST";
            case "/" -> ui ? "GET, POST" : null; // without the page, GET / is 404 (docs/SERVER.md, --no-ui)
            default -> path.startsWith("/v1/models/") ? "GET" : null;
        };
    }

    /** Starts a server for an already loaded model. */
    public static IdeficsServer start(Idefics idefics, ServerConfig config) {
        IdeficsServer server = new IdeficsServer(idefics, config);
        try {
            server.app.start();
        } catch (RuntimeException e) {
            server.backend.engine().close();
            throw e;
        }
        return server;
    }

    public int port() {
        return app.port();
    }

    public Metrics metrics() {
        return backend.metrics();
    }

    /** Holds queued requests out of the running batch (tests fill the queue this way). */
    void pauseBatching() {
        backend.engine().pause();
    }

    void resumeBatching() {
        backend.engine().resume();
    }

    /** Holds (or lets go on) the decoding steps of the running batch. */
    void holdSteps(boolean hold) {
        backend.engine().holdSteps(hold);
    }

    int queueSize() {
        return backend.engine().queueSize();
    }

    int runningSequences() {
        return backend.engine().runningSequences();
    }

    int waitingJobs() {
        return backend.engine().waitingJobs();
    }

    /** The decode memory budget (tests hold part of it to stand for other requests' decodes). */
    DecodeBudget decodeBudget() {
        return backend.preparer().decodeBudget();
    }

    private String health(Context ctx) {
        if (stopping) {
            ctx.status(503).json(Map.of("status", "shutting down"));
            return ApiError.Kind.UNAVAILABLE.outcome;
        }
        ctx.json(Map.of("status", "ok", "model", backend.modelName()));
        return "success";
    }

    /**
     * The API key, when one is set, on every route but /health and the chat page (a browser cannot send the header
     * when it opens the page; the page asks for the key and sends it with its API calls).
     */
    private void authorize(Context ctx) {
        if (apiKey == null || ctx.path().equals("/health") || (ui && ChatPage.isPageRequest(ctx))) {
            return;
        }
        String header = ctx.header("Authorization");
        String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip()
                : null;
        if (given == null || !MessageDigest.isEqual(apiKey, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiError(ApiError.Kind.UNAUTHORIZED, given == null
                    ? "this server needs an API key: send the header \"Authorization: Bearer <key>\""
                    : "the API key is not valid for this server", null, "invalid_api_key");
        }
    }

    /**
     * Runs a route: checks the API key, counts the outcome (refusals included) and holds shutdown until the route
     * is done.
     */
    private void counted(String route, Context ctx, Route body) throws Exception {
        long arrival = System.nanoTime();
        ctx.attribute(ROUTE, route);
        inFlight.incrementAndGet();
        try {
            authorize(ctx);
            backend.metrics().request(route, body.handle(ctx, arrival));
        } catch (ApiError e) {
            backend.metrics().request(route, e.kind().outcome);
            if (e.kind() == ApiError.Kind.CANCELLED) {
                return; // the client is gone: there is no one to answer, and a stream has begun already
            }
            throw e;
        } catch (OutOfMemoryError e) {
            // Jetty would answer an Error with an empty 500; the heap is shared, so this is the server's load.
            LOG.log(Level.SEVERE, "request " + RequestId.of(ctx) + " ran out of memory", e);
            backend.metrics().request(route, ApiError.Kind.OVERLOADED.outcome);
            throw new ApiError(ApiError.Kind.OVERLOADED, "the server ran out of memory for this request (its images "
                    + "and those of the requests running with it); retry later, or send fewer or smaller images",
                    null, "out_of_memory");
        } catch (Exception | Error e) {
            backend.metrics().request(route, ApiError.Kind.FAILED.outcome);
            throw e;
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** An error in the body its API family expects: OpenAI's error object under /v1, TGI's elsewhere. */
    private static void render(Context ctx, ApiError e) {
        if (e.kind() == ApiError.Kind.UNAUTHORIZED) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        if (ctx.path().startsWith("/v1/")) {
            ctx.status(e.kind().openAiStatus).json(e.openAiBody());
        } else {
            ctx.status(e.kind().tgiStatus).json(e.tgiBody());
        }
    }

    /** Stops taking requests, lets the accepted ones finish (up to {@code drain}), then stops the HTTP server. */
    public synchronized void stop(Duration drain) {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        long end = System.nanoTime() + drain.toNanos();
        backend.engine().shutdown(drain);
        // The engine is done; give the handlers a moment to write their last events.
        while (inFlight.get() > 0 && System.nanoTime() < end + 2_000_000_000L) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        app.stop();
        imageLoader.close();
    }

    @Override
    public void close() {
        stop(backend.config().drainTimeout());
    }
}
