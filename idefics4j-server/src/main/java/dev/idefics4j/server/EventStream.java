package dev.idefics4j.server;

import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent event stream on a response: each event is a {@code data:} line flushed at once, so the client sees
 * every token as it is made. A write that fails means the client is gone.
 */
final class EventStream {
    private final HttpServletResponse response;
    private OutputStream out;

    EventStream(HttpServletResponse response) {
        this.response = response;
    }

    boolean started() {
        return out != null;
    }

    void send(Object json) throws IOException {
        sendRaw(JsonBody.write(json));
    }

    /** OpenAI's end of stream. */
    void done() throws IOException {
        sendRaw("[DONE]");
    }

    private void sendRaw(String data) throws IOException {
        if (out == null) {
            response.setStatus(200);
            response.setContentType("text/event-stream");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
            out = response.getOutputStream();
        }
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
