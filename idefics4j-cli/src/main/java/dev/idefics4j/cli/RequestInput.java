package dev.idefics4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.request.JsonErrors;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** {@code --request FILE} or {@code --json STRING}: where a command's JSON request comes from. */
final class RequestInput {
    @Option(names = "--request", paramLabel = "FILE", description = "JSON request file ('-' for standard input).")
    Path requestFile;

    @Option(names = "--json", paramLabel = "JSON", description = "The JSON request inline.")
    String json;

    JsonNode read() throws IOException {
        ObjectMapper mapper = Json.MAPPER;
        if (json != null && requestFile != null) {
            throw new IllegalArgumentException("give either --request or --json, not both");
        }
        if (json != null) {
            return parse(mapper, json, "--json");
        }
        if (requestFile == null) {
            throw new IllegalArgumentException("give the request with --request FILE or --json STRING");
        }
        if (requestFile.toString().equals("-")) {
            return parse(mapper, new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                    "standard input");
        }
        try {
            return parse(mapper, Files.readString(requestFile), requestFile.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--request " + requestFile + ": no such file");
        }
    }

    private static JsonNode parse(ObjectMapper mapper, String text, String where) {
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": invalid JSON: " + JsonErrors.describe(e));
        }
    }

    /** Folder that relative image paths resolve against: the request file's, else the working directory. */
    Path baseDir() {
        if (requestFile != null && !requestFile.toString().equals("-")) {
            Path parent = requestFile.toAbsolutePath().getParent();
            return parent == null ? Path.of("").toAbsolutePath() : parent;
        }
        return Path.of("").toAbsolutePath();
    }
}
