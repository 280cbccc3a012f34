package dev.idefics4j.server;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The chat page at {@code GET /}: one self-contained HTML file from the jar (its CSS and JavaScript inline, nothing
 * fetched from elsewhere) that talks to this server's own {@code /v1/chat/completions}, {@code /v1/models} and
 * {@code /info}, so the page sees exactly the API any other client sees.
 */
final class ChatPage {
    private static final String RESOURCE = "ui/index.html";
    private static final byte[] PAGE = load();

    private ChatPage() {
    }

    static void serve(Context ctx) {
        ctx.header("Cache-Control", "no-cache")
                .header("X-Content-Type-Options", "nosniff")
                // The page's own inline script and style, images from data: URLs and the API on this origin only.
                .header("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
                        + "style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; base-uri 'none'; "
                        + "form-action 'none'; frame-ancestors 'none'")
                .contentType("text/html; charset=utf-8")
                .result(PAGE);
    }

    /** Whether a request is for the page itself, which needs no API key. */
    static boolean isPageRequest(Context ctx) {
        return ctx.path().equals("/") && (ctx.method().equals(HandlerType.GET)
                || ctx.method().equals(HandlerType.HEAD));
    }

    private static byte[] load() {
        try (InputStream in = ChatPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the chat page " + RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
