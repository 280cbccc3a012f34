package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the JSON files of a tokenizer folder, turning every failure into a {@link TokenizerException} naming the file. */
final class JsonFiles {
    // Field names are not canonicalized: tokenizer.json's vocabulary has 32000 distinct ones, read once.
    private static final ObjectMapper MAPPER = new ObjectMapper(
            JsonFactory.builder().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build());

    private JsonFiles() {
    }

    /** Reads a file with a streaming parser (its codec can read subtrees); failures name the file. */
    interface ParserReader<T> {
        T read(JsonParser parser) throws IOException;
    }

    static <T> T stream(Path file, ParserReader<T> reader) {
        try (JsonParser parser = MAPPER.createParser(file.toFile())) {
            return reader.read(parser);
        } catch (JacksonException e) {
            throw new TokenizerException(file + ": invalid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new TokenizerException(file + ": file not found", e);
            }
            throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static JsonNode read(Path file) {
        return stream(file, parser -> {
            JsonNode node = parser.readValueAsTree();
            if (node == null || node.isMissingNode()) {
                throw new TokenizerException(file + ": empty JSON file");
            }
            return node;
        });
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
