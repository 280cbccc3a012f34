package dev.idefics4j.server;

import io.javalin.http.Context;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The {@code x-request-id} of a request: the client's own when it sent a usable one (so its logs and ours can be
 * matched), else a new one. Every response carries it, and the server's log lines about the request name it.
 */
final class RequestId {
    static final String HEADER = "x-request-id";
    private static final String ATTRIBUTE = "idefics4j.request-id";
    /** Printable ASCII without spaces, as proxies generate them; anything else could forge log lines. */
    private static final Pattern USABLE = Pattern.compile("[!-~]{1,128}");

    private RequestId() {
    }

    /** Chooses the request's id and puts it on the response (a before-handler of every route). */
    static void assign(Context ctx) {
        String given = ctx.header(HEADER);
        String id = given != null && USABLE.matcher(given).matches() ? given
                : UUID.randomUUID().toString().replace("-", "");
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    /** The id {@link #assign} chose; "-" for a request that did not pass through it. */
    static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "-" : id;
    }
}
