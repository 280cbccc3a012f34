package dev.idefics4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's {@code testdata/fixtures} (a copy of the shared reference fixtures) from any module. */
public final class TestData {
    private TestData() {
    }

    public static Path fixtures() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata/fixtures");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("testdata/fixtures not found above " + dir);
    }

    public static Path fixture(String relative) {
        return fixtures().resolve(relative);
    }

    public static Path model(String name) {
        return fixture("models/" + name);
    }

    public static Path reference(String relative) {
        return fixture("reference/" + relative);
    }
}
