package dev.idefics4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.idefics4j.request.JsonErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Typed field access on a config JSON object with the reference default for absent fields; errors name the field. */
public final class ConfigReader {
    private final String file;
    private final JsonNode node;
    private final JsonNode fallback;
    private final String fallbackPrefix;

    /**
     * @param fallback an object consulted (with {@code fallbackPrefix} before the field name) when {@code node}
     *                 lacks a field: the flat top-level keys of early IDEFICS configs
     */
    public ConfigReader(String file, JsonNode node, JsonNode fallback, String fallbackPrefix) {
        this.file = file;
        this.node = node == null || node.isNull() ? null : node;
        this.fallback = fallback;
        this.fallbackPrefix = fallbackPrefix;
    }

    private JsonNode find(String field) {
        if (node != null && node.has(field) && !node.get(field).isNull()) {
            return node.get(field);
        }
        if (fallback != null) {
            JsonNode v = fallback.get(fallbackPrefix + field);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    /** A checkpoint's config.json, parsed; a missing file or invalid JSON is refused naming the file. */
    public static JsonNode readConfigJson(Path configJson) {
        try {
            return new ObjectMapper().readTree(Files.readAllBytes(configJson));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(configJson + ": file not found (a checkpoint folder needs config.json)", e);
        } catch (IOException e) {
            throw new CheckpointException(configJson + ": " + JsonErrors.describeFile(e), e);
        }
    }

    /** A reader of its own for no fallback: the whole object {@code node} (null: every field absent). */
    public ConfigReader(String file, JsonNode node) {
        this(file, node, null, "");
    }

    /** The raw value of {@code field}, or null when absent or null. */
    public JsonNode get(String field) {
        return find(field);
    }

    /** Whether the field is present and not null. */
    public boolean has(String field) {
        return find(field) != null;
    }

    /**
     * The nested object {@code field} as a reader of its own, its errors naming {@code parent.field}; null when the
     * field is absent or null.
     */
    public ConfigReader object(String field) {
        JsonNode v = find(field);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw new CheckpointException(where(field) + " must be an object, got " + v);
        }
        return new ConfigReader(file + " (" + field + ")", v);
    }

    private String where(String field) {
        return file + ": field '" + field + "'";
    }

    public int positiveInt(String field, int dflt) {
        int v = intValue(field, dflt);
        if (v <= 0) {
            throw new CheckpointException(where(field) + " must be a positive integer, got " + v);
        }
        return v;
    }

    public int intValue(String field, int dflt) {
        JsonNode v = find(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new CheckpointException(where(field) + " must be an integer, got " + v);
        }
        return v.asInt();
    }

    public double positiveDouble(String field, double dflt) {
        JsonNode v = find(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber() || !(v.asDouble() > 0)) {
            throw new CheckpointException(where(field) + " must be a positive number, got " + v);
        }
        return v.asDouble();
    }

    public boolean bool(String field, boolean dflt) {
        JsonNode v = find(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new CheckpointException(where(field) + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    public String string(String field, String dflt, String... allowed) {
        JsonNode v = find(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new CheckpointException(where(field) + " must be a string, got " + v);
        }
        String s = v.asText();
        if (allowed.length > 0 && !java.util.Arrays.asList(allowed).contains(s)) {
            throw new CheckpointException(where(field) + " is \"" + s + "\"; supported: "
                    + String.join(", ", allowed));
        }
        return s;
    }

    public CheckpointException error(String field, String message) {
        return new CheckpointException(where(field) + " " + message);
    }
}
