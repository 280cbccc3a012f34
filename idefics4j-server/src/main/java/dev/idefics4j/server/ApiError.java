package dev.idefics4j.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the server answers with an error: what kind (which picks the HTTP status for each API family), a
 * message that says what to change, and for OpenAI routes the offending parameter.
 */
public final class ApiError extends RuntimeException {
    /** The kinds of refusal, with the status each API family uses and the labels it reports. */
    public enum Kind {
        INVALID(400, 422, "invalid_request_error", "validation", "invalid"),
        UNAUTHORIZED(401, 401, "authentication_error", "authentication", "unauthorized"),
        NOT_FOUND(404, 404, "invalid_request_error", "not_found", "not_found"),
        /** A route asked with a method it does not take. */
        METHOD_NOT_ALLOWED(405, 405, "invalid_request_error", "validation", "method_not_allowed"),
        TOO_LARGE(413, 413, "invalid_request_error", "validation", "too_large"),
        OVERLOADED(429, 429, "rate_limit_error", "overloaded", "overloaded"),
        UNAVAILABLE(503, 503, "server_error", "unavailable", "unavailable"),
        /** The client closed the connection before the answer was ready (499: nginx's "client closed request"). */
        CANCELLED(499, 499, "server_error", "cancelled", "cancelled"),
        FAILED(500, 424, "server_error", "generation", "error");

        final int openAiStatus;
        final int tgiStatus;
        final String openAiType;
        final String tgiType;
        /** The {@code outcome} label of the requests counter. */
        final String outcome;

        Kind(int openAiStatus, int tgiStatus, String openAiType, String tgiType, String outcome) {
            this.openAiStatus = openAiStatus;
            this.tgiStatus = tgiStatus;
            this.openAiType = openAiType;
            this.tgiType = tgiType;
            this.outcome = outcome;
        }
    }

    private final Kind kind;
    private final String param;
    private final String code;

    public ApiError(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public ApiError(Kind kind, String message, String param, String code) {
        super(message);
        this.kind = kind;
        this.param = param;
        this.code = code;
    }

    public static ApiError invalid(String param, String message) {
        return new ApiError(Kind.INVALID, message, param, null);
    }

    public Kind kind() {
        return kind;
    }

    public String param() {
        return param;
    }

    /** OpenAI's error object: {@code {"error": {"message", "type", "param", "code"}}}. */
    public Map<String, Object> openAiBody() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", getMessage());
        error.put("type", kind.openAiType);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }

    /** TGI's error body: {@code {"error", "error_type"}}. */
    public Map<String, Object> tgiBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", getMessage());
        body.put("error_type", kind.tgiType);
        return body;
    }
}
