package dev.idefics4j.image;

import dev.idefics4j.testing.FuzzTarget;
import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.ParserFuzzTest;
import dev.idefics4j.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/** Mutated PNG, JPEG, GIF, WebP, BMP and TIFF files decode or fail with an ImageLoadException. */
class ImageDecoderFuzzTest {
    private static final long MAX_SEED_BYTES = 64 << 10;
    private static final ImageLoader LOADER = new ImageLoader(ImageLimits.DEFAULTS.withMaxPixels(1 << 24));

    private static final FuzzTarget TARGET = FuzzTarget.of("image",
            bytes -> LOADER.load(new ImageSource.Bytes(bytes, "fuzz")), ImageLoadException.class);

    static List<byte[]> seeds() throws IOException {
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
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void close() {
        LOADER.close();
    }

    @MethodSource("seeds")
    @ParserFuzzTest
    void image(byte[] input) throws Exception {
        TARGET.accept(input);
    }

    @Test
    void mutatedImagesDecodeOrFailWithAnImageLoadException() throws IOException {
        MutationFuzzer.run(TARGET, seeds(), 1500);
    }
}
