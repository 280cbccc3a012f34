package dev.idefics4j.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Files that are not images to read: a FIFO (whose read blocks until a writer comes) and a symbolic link loop. */
class ImageLoaderFileKindsTest {
    /** Makes a FIFO with mkfifo, or skips where there is none (not a POSIX system). */
    static Path fifo(Path dir) throws IOException, InterruptedException {
        Path fifo = dir.resolve("pipe.png");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo here");
            throw e;
        }
        assumeTrue(p.waitFor() == 0 && Files.exists(fifo), "mkfifo failed");
        return fifo;
    }

    @Test
    void aFifoIsRefusedWithoutReadingIt(@TempDir Path dir) throws Exception {
        Path fifo = fifo(dir);
        ImageLoadException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(ImageLoadException.class, () -> new ImageLoader().load(fifo.toString())));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void aSymbolicLinkLoopIsNamedWithoutAJavaClass(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> new ImageLoader().load(a.toString()));
        assertTrue(e.getMessage().contains("symbolic links"), e.getMessage());
        assertFalse(e.getMessage().contains("java."), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }
}
