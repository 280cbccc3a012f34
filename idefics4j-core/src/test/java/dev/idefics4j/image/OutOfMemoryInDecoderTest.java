package dev.idefics4j.image;

import org.junit.jupiter.api.Test;

import javax.imageio.IIOException;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The JDK's PNG reader reports running out of memory as an IIOException ("Caught exception during read"); that must
 * reach the caller as the OutOfMemoryError it is (the server answers it 429), not as a corrupt image (400).
 */
class OutOfMemoryInDecoderTest {
    @Test
    void aWrappedOutOfMemoryErrorIsRethrown() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        IIOException wrapped = new IIOException("Caught exception during read: ", oom);
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> ImageDecoder.rethrowOutOfMemory(wrapped)));
        IOException deeper = new IOException("outer", new IllegalStateException("inner", oom));
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> ImageDecoder.rethrowOutOfMemory(deeper)));
    }

    @Test
    void otherFailuresStayTheImagesFault() {
        assertDoesNotThrow(() -> ImageDecoder.rethrowOutOfMemory(new IIOException("Error reading PNG image data",
                new java.util.zip.ZipException("invalid distance too far back"))));
        assertDoesNotThrow(() -> ImageDecoder.rethrowOutOfMemory(new java.io.EOFException()));
    }
}
