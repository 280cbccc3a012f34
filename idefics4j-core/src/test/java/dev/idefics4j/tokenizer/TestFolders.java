package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Builds tokenizer folders for tests from the fixture files: copies, edited copies, broken files. */
final class TestFolders {
    static final String[] CONFIG_FILES = {"tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"};

    private TestFolders() {
    }

    static void copy(Path from, Path to, String... names) {
        try {
            Files.createDirectories(to);
            for (String name : names) {
                Files.copy(from.resolve(name), to.resolve(name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, byte[] content) {
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a text file with {@code edit} applied to its content. */
    static void copyEdited(Path from, Path to, String name, UnaryOperator<String> edit) {
        String text = new String(bytes(from.resolve(name)), StandardCharsets.UTF_8);
        write(to.resolve(name), edit.apply(text).getBytes(StandardCharsets.UTF_8));
    }

    /** Rewrites {@code tokenizer_config.json} of a folder with {@code edit} applied to its JSON object. */
    static void editConfig(Path dir, Consumer<ObjectNode> edit) {
        try {
            ObjectMapper mapper = new ObjectMapper();
            Path file = dir.resolve("tokenizer_config.json");
            ObjectNode config = (ObjectNode) mapper.readTree(file.toFile());
            edit.accept(config);
            mapper.writeValue(file.toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
