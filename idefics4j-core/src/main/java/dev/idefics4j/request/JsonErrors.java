package dev.idefics4j.request;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.regex.Pattern;

/**
 * What is wrong with a JSON text, for a person: Jackson's own message without its internals (the redacted source it
 * names, "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); ...]"), and the line and
 * column where it went wrong.
 */
public final class JsonErrors {
    private static final Pattern START_MARKER = Pattern.compile(
            "\\(start marker at \\[Source: .*?; line: (\\d+), column: (\\d+)\\]\\)");

    private JsonErrors() {
    }

    /**
     * What went wrong reading a JSON file, on one line: {@code invalid JSON: …} with the line and column, or
     * {@code cannot read: …} with the system's reason when the file itself could not be read.
     */
    public static String describeFile(IOException e) {
        return switch (e) {
            case JsonProcessingException j -> "invalid JSON: " + describe(j);
            case FileSystemException f -> "cannot read: " + (f.getReason() != null ? f.getReason() : "file system error");
            default -> "cannot read: " + e.getMessage();
        };
    }

    public static String describe(JsonProcessingException e) {
        String message = START_MARKER.matcher(e.getOriginalMessage()).replaceAll("(opened at line $1, column $2)");
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? message
                : message + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
