package dev.idefics4j.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.request.JsonErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * A checkpoint's image_seq_len, the {@code <image>} tokens one image (or tile) becomes in the Idefics2/Idefics3
 * prompts: {@code processor_config.json}'s value, else what {@code config.json} implies, else the processor's
 * default. When both files give one they must agree, since the model replaces exactly that many tokens per image.
 */
public final class ImageSeqLen {
    private ImageSeqLen() {
    }

    /**
     * @param fromModel the value {@code config.json} implies, or null when it cannot tell
     * @param what      how {@code fromModel} derives it, for the error message
     */
    public static int of(Path dir, Function<ConfigReader, Integer> fromModel, String what, int dflt) {
        Path processorFile = dir.resolve("processor_config.json");
        Path modelFile = dir.resolve("config.json");
        JsonNode processor = readIfPresent(processorFile);
        JsonNode model = readIfPresent(modelFile);
        Integer given = processor == null || !processor.has("image_seq_len") ? null
                : new ConfigReader(processorFile.toString(), processor).positiveInt("image_seq_len", dflt);
        Integer implied = model == null ? null : fromModel.apply(new ConfigReader(modelFile.toString(), model));
        if (given != null && implied != null && !given.equals(implied)) {
            throw new CheckpointException(processorFile + ": image_seq_len is " + given + " but config.json's "
                    + what + " give " + implied);
        }
        return given != null ? given : implied != null ? implied : dflt;
    }

    private static JsonNode readIfPresent(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException(file + ": " + JsonErrors.describeFile(e), e);
        }
    }
}
