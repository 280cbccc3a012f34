package dev.idefics4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Files that ship inside the idefics4j jar: the tiny random-weight IDEFICS checkpoint (the default model, so that
 * everything runs offline), the IDEFICS base tokenizer and SmolVLM-256M-Instruct's published tokenizer (for random
 * checkpoints of the SmolVLM shape). They are extracted once into a cache folder because weights are memory-mapped
 * from files.
 */
public final class BundledModels {
    public static final String TINY = "tiny";
    public static final String TOKENIZER_BASE = "tokenizer-base";
    public static final String TOKENIZER_SMOLVLM = "tokenizer-smolvlm";
    private static final Map<String, List<String>> FILES = Map.of(
            TINY, List.of("config.json", "generation_config.json", "preprocessor_config.json", "model.safetensors",
                    "tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                    "added_tokens.json"),
            TOKENIZER_BASE, List.of("tokenizer.model", "tokenizer.json", "tokenizer_config.json",
                    "special_tokens_map.json", "added_tokens.json"),
            TOKENIZER_SMOLVLM, List.of("tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json",
                    "special_tokens_map.json", "added_tokens.json", "chat_template.json"));

    private BundledModels() {
    }

    /** The folder holding bundled item {@code name} ({@link #TINY}, a tokenizer), extracted if needed. */
    public static Path path(String name) {
        List<String> files = FILES.get(name);
        if (files == null) {
            throw new IllegalArgumentException("nothing named " + name + " is bundled; known: " + FILES.keySet());
        }
        String version = Main.class.getPackage().getImplementationVersion();
        Path dir = cacheRoot().resolve("bundled").resolve(name + "-" + (version == null ? "dev" : version)
                + "-" + sizeKey(name, files));
        if (Files.isRegularFile(dir.resolve(".complete"))) {
            return dir;
        }
        try {
            Files.createDirectories(dir);
            for (String f : files) {
                try (InputStream in = resource(name, f)) {
                    Path tmp = Files.createTempFile(dir, f, ".tmp");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
            Files.writeString(dir.resolve(".complete"), "ok");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the bundled " + name + " to " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name, String file) {
        InputStream in = BundledModels.class.getResourceAsStream("bundled/" + name + "/" + file);
        if (in == null) {
            throw new IllegalStateException("bundled resource " + name + "/" + file + " missing from the jar");
        }
        return in;
    }

    /** Distinguishes jar builds with different bundled bytes without hashing megabytes at every start. */
    private static long sizeKey(String name, List<String> files) {
        long key = 0;
        for (String f : files) {
            var url = BundledModels.class.getResource("bundled/" + name + "/" + f);
            try {
                key = key * 31 + (url == null ? 0 : url.openConnection().getContentLengthLong());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Math.abs(key);
    }

    /** {@code $IDEFICS4J_CACHE}, else {@code ~/.cache/idefics4j}. */
    public static Path cacheRoot() {
        String env = System.getenv("IDEFICS4J_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "idefics4j");
    }
}
