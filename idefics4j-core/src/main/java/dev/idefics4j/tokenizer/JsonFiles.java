package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the JSON files of a tokenizer folder, turning every failure into a {@link TokenizerException} naming the file. */
final class JsonFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonFiles() {
    }

    static JsonNode read(Path file) {
        try {
            JsonNode node = MAPPER.readTree(file.toFile());
            if (node == null || node.isMissingNode()) {
                throw new TokenizerException(file + ": empty JSON file");
            }
            return node;
        } catch (JacksonException e) {
            throw new TokenizerException(file + ": invalid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new TokenizerException(file + ": file not found", e);
            }
            throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The parsed file, or {@code null} when it does not exist. */
    static JsonNode readIfPresent(Path file) {
        return Files.isRegularFile(file) ? read(file) : null;
    }

    static String text(JsonNode node, String field, Path file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new TokenizerException(file + ": " + field + " must be a string");
        }
        return v.asText();
    }

    static boolean bool(JsonNode node, String field, boolean fallback, Path file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new TokenizerException(file + ": " + field + " must be true or false");
        }
        return v.asBoolean();
    }

    static JsonNode require(JsonNode node, String field, Path file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new TokenizerException(file + ": missing " + field);
        }
        return v;
    }
}
