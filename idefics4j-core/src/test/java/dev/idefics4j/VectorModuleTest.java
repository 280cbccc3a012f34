package dev.idefics4j;

import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started without the Vector API module is told at load which flags it needs (it used to load and then fail
 * at the first inference with NoClassDefFoundError): {@code Idefics.load} in a child JVM without the flags.
 */
class VectorModuleTest {
    /** Loads the tiny model; run by the test in a JVM without {@code --add-modules jdk.incubator.vector}. */
    public static void main(String[] args) {
        try (Idefics idefics = Idefics.load(Path.of(args[0]))) {
            System.out.println("loaded: " + idefics.caption(dev.idefics4j.image.ImageSource.file(Path.of(args[1]))));
        } catch (IllegalStateException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }

    @Test
    void loadNamesTheFlagsItNeeds() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), VectorModuleTest.class.getName(),
                TestData.model("tiny").toString(), TestData.fixture("images/cat_rgb_97x61.jpg").toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("refused: idefics4j needs the JVM flags --add-modules jdk.incubator.vector "
                + "--enable-native-access=ALL-UNNAMED"), out);
    }
}
