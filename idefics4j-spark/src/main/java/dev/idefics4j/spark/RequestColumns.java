package dev.idefics4j.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The columns of a request row, by name, and how cells of any input become request values: Parquet's typed cells,
 * CSV's text cells and JSON Lines' values all go through {@link #toJson} first. Other columns are ignored.
 */
final class RequestColumns {
    static final String ID = "id";
    static final String TASK = "task";
    static final String IMAGE = "image";
    static final String TEXT = "text";
    static final String LABELS = "labels";
    static final String RANKED = "ranked";
    static final String PROMPT = "prompt";
    static final String OPTIONS = "options";

    /** Columns named after a generation or processor parameter: each sets that option of its row. */
    static final Set<String> OPTION_NAMES = Set.of("max_new_tokens", "max_length", "min_new_tokens", "min_length",
            "do_sample", "temperature", "top_k", "top_p", "min_p", "num_beams", "length_penalty", "early_stopping",
            "num_return_sequences", "repetition_penalty", "no_repeat_ngram_size", "bad_words_ids", "bad_words",
            "stop", "stop_strings", "eos_token_id", "pad_token_id", "bos_token_id", "seed", "padding", "truncation",
            "add_eos_token", "add_end_of_utterance_token");

    private static final Set<String> REQUEST_NAMES = Set.of(ID, TASK, IMAGE, TEXT, LABELS, RANKED, PROMPT, OPTIONS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestColumns() {
    }

    /** Whether a column of this name is read. */
    static boolean isRead(String name) {
        return REQUEST_NAMES.contains(name) || OPTION_NAMES.contains(name);
    }

    /**
     * A row from its cells by column name (absent columns are missing from {@code cells}, empty cells are null).
     *
     * @param promptAsText whether a text prompt cell holds the prompt's JSON (Parquet, CSV) rather than being a text
     *                     prompt itself (JSON Lines)
     */
    static RequestRow read(long index, Map<String, Object> cells, boolean promptAsText) {
        String id = text(cells.get(ID));
        try {
            Object image = cells.get(IMAGE);
            if (image instanceof JsonNode node) {
                image = node.isNull() ? null : node.isBinary() ? node.binaryValue() : text(node);
            }
            JsonNode prompt = toJson(cells.get(PROMPT));
            if (prompt != null && prompt.isTextual() && promptAsText) {
                prompt = parse(prompt.asText(), PROMPT);
            }
            return new RequestRow(index, id, text(cells.get(TASK)), image, text(cells.get(TEXT)),
                    labels(cells.get(LABELS)), ranked(cells.get(RANKED)), prompt, options(cells), null);
        } catch (RuntimeException | java.io.IOException e) {
            return RequestRow.invalid(index, id, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The {@code options} cell (a JSON object or its text), then the option columns over it. */
    private static ObjectNode options(Map<String, Object> cells) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        JsonNode options = toJson(cells.get(OPTIONS));
        if (options != null && options.isTextual()) {
            options = options.asText().isBlank() ? null : parse(options.asText(), OPTIONS);
        }
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw new IllegalArgumentException("options must be a JSON object of generation parameters, got "
                        + options);
            }
            out.setAll((ObjectNode) options);
        }
        for (String name : OPTION_NAMES) {
            JsonNode value = toJson(cells.get(name));
            if (value != null && !value.isNull()) {
                out.set(name, value.isTextual() ? literal(value.asText()) : value);
            }
        }
        return out;
    }

    /** Labels: a list (Spark hands an {@code array<string>} over as a Scala sequence), a JSON array's text, or
     * comma-separated text. */
    static List<String> labels(Object cell) {
        JsonNode node = toJson(cell);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            String text = node.asText().strip();
            if (!text.startsWith("[")) {
                return List.of(text.split(",")).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
            }
            node = parse(text, LABELS);
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("labels must be a list of strings, got " + node);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode label : node) {
            if (!label.isTextual()) {
                throw new IllegalArgumentException("labels must be strings, got " + label);
            }
            out.add(label.asText());
        }
        return out;
    }

    private static boolean ranked(Object cell) {
        JsonNode node = toJson(cell);
        if (node == null || node.isNull()) {
            return false;
        }
        JsonNode value = node.isTextual() ? literal(node.asText().strip().toLowerCase(Locale.ROOT)) : node;
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("ranked must be true or false, got " + node);
        }
        return value.booleanValue();
    }

    /** A cell as text; null stays null. */
    private static String text(Object cell) {
        JsonNode node = toJson(cell);
        return node == null || node.isNull() ? null : node.isValueNode() ? node.asText() : node.toString();
    }

    /** Text that parses as JSON is that value (CSV cells: 10, true, ["a"]); other text is a string. */
    private static JsonNode literal(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }

    private static JsonNode parse(String text, String column) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(column + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A cell of any input as JSON: Spark's strings, numbers, lists, maps and structs (nulls left out), or JSON. */
    static JsonNode toJson(Object cell) {
        return switch (cell) {
            case null -> null;
            case JsonNode node -> node;
            case Row row -> {
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                String[] names = row.schema().fieldNames();
                for (int i = 0; i < names.length; i++) {
                    if (!row.isNullAt(i)) {
                        out.set(names[i], toJson(row.get(i)));
                    }
                }
                yield out;
            }
            case scala.collection.Map<?, ?> map -> toJson(CollectionConverters.asJava(map));
            case scala.collection.Iterable<?> seq -> toJson(CollectionConverters.asJava(seq));
            case Map<?, ?> map -> {
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                map.forEach((k, v) -> {
                    if (v != null) {
                        out.set(String.valueOf(k), toJson(v));
                    }
                });
                yield out;
            }
            case Iterable<?> items -> {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                items.forEach(v -> out.add(toJson(v)));
                yield out;
            }
            default -> JSON.valueToTree(cell);
        };
    }
}
