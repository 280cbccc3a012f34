package dev.idefics4j.hub;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleProgressTest {
    @Test
    void drawsABarAndEndsTheLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        p.update("model.safetensors", 0, 2_000_000);
        p.finish("model.safetensors", 1_000_000, 2_000_000);

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("model.safetensors  50% [############            ] 1.0 MB / 2.0 MB"), out);
        assertTrue(out.endsWith(System.lineSeparator()), out);
    }

    @Test
    void sizesAreHumanReadable() {
        assertEquals("999 B", ConsoleProgress.bytes(999));
        assertEquals("1.5 GB", ConsoleProgress.bytes(1_500_000_000L));
    }
}
