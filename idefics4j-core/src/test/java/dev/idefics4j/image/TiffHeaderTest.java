package dev.idefics4j.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idefics4j.testing.MutationFuzzer;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A TIFF whose SamplesPerPixel would make TwelveMonkeys allocate gigabytes is refused before it reads it. */
class TiffHeaderTest {
    /** Jazzer's finding: SamplesPerPixel 0x49490020 in a 48x32 image (TwelveMonkeys: new long[1229520927]). */
    private static final Path FOUND = Path.of("src/test/resources/dev/idefics4j/image/ImageDecoderFuzzTestInputs/image/"
            + "tiff-samples-per-pixel-1229520928.tif");

    @Test
    void readsSamplesPerPixelFromTheFirstDirectory() {
        assertEquals(OptionalLong.of(1229520928L), TiffHeader.firstDirectoryValue(MutationFuzzer.read(FOUND), 277));
    }

    @Test
    void refusesMoreSamplesPerPixelThanPillowOpens() {
        try (ImageLoader loader = new ImageLoader(ImageLimits.DEFAULTS)) {
            ImageLoadException e = assertThrows(ImageLoadException.class,
                    () -> loader.load(new ImageSource.Bytes(MutationFuzzer.read(FOUND), "found.tif")));
            assertTrue(e.getMessage().contains("TIFF SamplesPerPixel is 1229520928; at most 6"), e.getMessage());
        }
    }
}
