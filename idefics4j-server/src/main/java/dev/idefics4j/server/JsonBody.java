package dev.idefics4j.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.request.JsonErrors;
import jakarta.servlet.http.HttpServletRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Request bodies in, within the size limit, and JSON out. */
final class JsonBody {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Readers by body limit: Jackson's own string cap (20 M chars) must not refuse what the server's limits let in. */
    private static final ConcurrentMap<Long, ObjectMapper> READERS = new ConcurrentHashMap<>();

    private JsonBody() {
    }

    /**
     * The request's JSON object; a body larger than {@code max} bytes is refused from its Content-Length before
     * reading, or as soon as reading passes the limit (chunked uploads).
     */
    static JsonNode read(HttpServletRequest request, long max) {
        long declared = request.getContentLengthLong();
        if (declared > max) {
            drain(request, declared, max);
            throw tooLarge(declared + " bytes", max);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (InputStream in = request.getInputStream()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (body.size() + (long) n > max) {
                    drain(request, -1, max);
                    throw tooLarge("more than " + max + " bytes", max);
                }
                body.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw ApiError.invalid(null, "could not read the request body: " + e.getMessage());
        }
        JsonNode node;
        try {
            node = reader(max).readTree(body.toByteArray());
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON: " + JsonErrors.describe(e));
        } catch (IOException e) {
            throw ApiError.invalid(null, "could not read the request body: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiError.invalid(null, "the request body must be a JSON object");
        }
        return node;
    }

    /** A mapper whose longest string is the body limit: no string in a body can be longer. */
    private static ObjectMapper reader(long max) {
        return READERS.computeIfAbsent(max, m -> new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength((int) Math.min(m, Integer.MAX_VALUE - 8)).build())
                .build()));
    }

    /**
     * Reads and drops the rest of a refused body when it is at most a few times the limit: a connection closed
     * with request bytes still unread is reset, and the client, still sending, could lose the 413 (seen once in
     * the suite: "header parser received no bytes"). A far larger body is not read (a chunked one, of unknown
     * length, only up to that bound); its client may see a reset.
     *
     * @param declared the Content-Length, or -1 when the body is chunked
     */
    private static void drain(HttpServletRequest request, long declared, long max) {
        long budget = Math.max(1L << 20, 4 * max);
        if (declared > budget) {
            return;
        }
        try {
            InputStream in = request.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            for (long read = 0; read < budget; ) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                read += n;
            }
        } catch (IOException | RuntimeException e) {
            // the client went away or sent garbage: the refusal stands either way
        }
    }

    private static ApiError tooLarge(String size, long max) {
        return new ApiError(ApiError.Kind.TOO_LARGE, "the request body is " + size + ", more than the limit of "
                + max + " bytes; send smaller or fewer images (e.g. by URL instead of data: URL)", null,
                "request_too_large");
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
