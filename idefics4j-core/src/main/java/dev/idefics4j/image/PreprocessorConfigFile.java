package dev.idefics4j.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.request.JsonErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A checkpoint's {@code preprocessor_config.json}, as every family's image processor reads it. */
public final class PreprocessorConfigFile {
    public static final String FILE_NAME = "preprocessor_config.json";

    private PreprocessorConfigFile() {
    }

    /** The file of a checkpoint directory, or {@code dirOrFile} itself when it is a file; an error when missing. */
    public static Path locate(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": not found");
        }
        return file;
    }

    /** The parsed JSON object of {@code file}. */
    public static JsonNode read(Path file) {
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException(file + ": " + JsonErrors.describeFile(e), e);
        }
        if (json == null || !json.isObject()) {
            throw new CheckpointException(file + ": must be a JSON object");
        }
        return json;
    }

    /** A reader of {@code json}, whose {@code image_processor_type}, when given, must be {@code expectedType}. */
    public static ConfigReader reader(JsonNode json, String file, String expectedType) {
        if (json == null || !json.isObject()) {
            throw new CheckpointException(file + ": must be a JSON object");
        }
        ConfigReader config = new ConfigReader(file, json);
        String type = config.string("image_processor_type", expectedType);
        if (!type.equals(expectedType)) {
            throw config.error("image_processor_type", "is \"" + type + "\", not " + expectedType);
        }
        return config;
    }

    /** The {@code resample} filter (Pillow's codes), {@code dflt} when absent. */
    public static ResampleFilter resample(ConfigReader config, ResampleFilter dflt) {
        try {
            return ResampleFilter.fromPillowCode(config.intValue("resample", dflt.pillowCode()));
        } catch (IllegalArgumentException e) {
            throw config.error("resample", e.getMessage());
        }
    }
}
