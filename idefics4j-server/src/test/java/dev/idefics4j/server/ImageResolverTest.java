package dev.idefics4j.server;

import dev.idefics4j.image.ImageLoadException;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a media folder no local file is read; data URLs decode within the caps; other schemes are refused. */
class ImageResolverTest {
    private static ImageResolver resolver() {
        ImageLoader loader = new ImageLoader(ServerConfig.DEFAULT_IMAGE_LIMITS);
        return new ImageResolver(loader, new GuardedFetcher(ServerConfig.DEFAULT_IMAGE_LIMITS,
                AddressPolicy.publicOnly(), host -> {
                    throw new java.net.UnknownHostException(host); // never asked: no remote URL here
                }, Duration.ofSeconds(1)), null);
    }

    @Test
    void localFilesNeedAMediaFolder() {
        String path = TestData.fixture("images/cat_small_20x16.png").toString();
        for (String ref : new String[]{path, "file://" + path, "cat_small_20x16.png"}) {
            ImageLoadException e = assertThrows(ImageLoadException.class, () -> resolver().resolve(ref));
            assertTrue(e.getMessage().contains("local files are not served"), e.getMessage());
        }
    }

    @Test
    void dataUrlsAndSchemes() throws Exception {
        byte[] png = Files.readAllBytes(TestData.fixture("images/cat_small_20x16.png"));
        PromptItem.Decoded d = resolver().resolve("data:image/png;base64," + Base64.getEncoder().encodeToString(png));
        assertEquals(20, d.image().width());
        assertThrows(ImageLoadException.class, () -> resolver().resolve("gopher://example.org/x.png"));
        assertThrows(ImageLoadException.class, () -> resolver().resolve("data:image/png;base64,not base64!"));
    }
}
