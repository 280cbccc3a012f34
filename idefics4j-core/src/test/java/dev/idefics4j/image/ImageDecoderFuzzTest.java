package dev.idefics4j.image;

import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Mutated PNG, JPEG, GIF, WebP, BMP and TIFF files decode or fail with an ImageLoadException. */
class ImageDecoderFuzzTest {
    private static final long MAX_SEED_BYTES = 64 << 10;

    private static List<byte[]> seeds() throws IOException {
        Path resources = Path.of("src/test/resources/images");
        try (Stream<Path> files = Stream.of(TestData.fixture("images"), resources, resources.resolve("decoders"))
                .flatMap(ImageDecoderFuzzTest::list)) {
            return files.filter(p -> p.getFileName().toString().matches(".*\\.(png|jpe?g|gif|webp|bmp|tiff?)"))
                    .filter(p -> p.toFile().length() <= MAX_SEED_BYTES)
                    .sorted().map(MutationFuzzer::read).toList();
        }
    }

    private static Stream<Path> list(Path dir) {
        try {
            return Files.list(dir).toList().stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void mutatedImagesDecodeOrFailWithAnImageLoadException() throws IOException {
        ImageLimits limits = ImageLimits.DEFAULTS.withMaxPixels(1 << 24);
        try (ImageLoader loader = new ImageLoader(limits)) {
            MutationFuzzer.of("image", seeds(), ImageLoadException.class).run(1500,
                    bytes -> loader.load(new ImageSource.Bytes(bytes, "fuzz")));
        }
    }
}
