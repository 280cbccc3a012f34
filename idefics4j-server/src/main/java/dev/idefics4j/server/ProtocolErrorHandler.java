package dev.idefics4j.server;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The errors Jetty answers itself, before any route runs (a header block or URI over its limits, a Content-Length
 * that is no number, a request without Host, a malformed request line): a JSON body in the API's shape (OpenAI's
 * under {@code /v1/}, TGI's elsewhere and when the path is unknown) instead of Jetty's HTML page, each counted
 * under the route {@code unknown}.
 */
final class ProtocolErrorHandler extends ErrorHandler {
    private final Metrics metrics;

    ProtocolErrorHandler(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true; // every method gets its JSON body, PUT and DELETE included
    }

    /** A request Jetty could not parse: there is no request to answer through, only these bytes. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        count(status);
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(false, status, reason));
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        count(code);
        String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(path != null && path.startsWith("/v1/"), code, message)),
                callback);
    }

    private void count(int status) {
        metrics.request("unknown", status == 413 || status == 414 || status == 431 ? ApiError.Kind.TOO_LARGE.outcome
                : serverFault(status) ? ApiError.Kind.FAILED.outcome : ApiError.Kind.INVALID.outcome);
    }

    /** 505 is the client's protocol version, not a failure of the server. */
    private static boolean serverFault(int status) {
        return status >= 500 && status != 505;
    }

    private static byte[] body(boolean openAi, int status, String reason) {
        String message = describe(status, reason);
        Object body;
        if (openAi) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", message);
            error.put("type", serverFault(status) ? "server_error" : "invalid_request_error");
            error.put("param", null);
            error.put("code", null);
            body = Map.of("error", error);
        } else {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", message);
            error.put("error_type", serverFault(status) ? "generation" : "validation");
            body = error;
        }
        return JsonBody.write(body).getBytes(StandardCharsets.UTF_8);
    }

    private static String describe(int status, String reason) {
        String what = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        return switch (status) {
            case 431 -> "the request's headers are larger than this server takes (" + what + "); send fewer or "
                    + "shorter headers";
            case 414 -> "the request's URI is longer than this server takes (" + what + "); send the data in the "
                    + "body";
            case 426, 505 -> "the request's protocol is not one this server speaks (" + status + " " + what
                    + "); send HTTP/1.1 or HTTP/1.0 without an upgrade";
            default -> "the request is not one this server can read (" + status + " " + what + ")";
        };
    }
}
