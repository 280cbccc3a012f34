package dev.idefics4j.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads a JSON Lines input line as the {@code batch} command does: an object with the request columns as keys, or —
 * without {@code task} and with {@code prompt} or {@code prompts} — a {@code batch} line itself. A blank or broken
 * line becomes that row's error.
 */
final class JsonLineReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLineReader() {
    }

    static RequestRow read(String line, long index) {
        if (line == null || line.isBlank()) {
            return RequestRow.invalid(index, null, "empty line");
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return RequestRow.invalid(index, null, "invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return RequestRow.invalid(index, null, "a request must be a JSON object");
        }
        Map<String, Object> cells = new HashMap<>();
        if (!node.has(RequestColumns.TASK) && (node.has("prompt") || node.has("prompts"))) {
            ObjectNode request = ((ObjectNode) node).deepCopy();
            cells.put(RequestColumns.ID, request.remove(RequestColumns.ID));
            cells.put(RequestColumns.PROMPT, request);
        } else {
            node.properties().forEach(e -> {
                if (RequestColumns.isRead(e.getKey())) {
                    cells.put(e.getKey(), e.getValue());
                }
            });
        }
        return RequestColumns.read(index, cells, false);
    }
}
