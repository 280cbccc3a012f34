package dev.idefics4j.server;

import dev.idefics4j.image.ImageLimits;
import dev.idefics4j.image.ImageLoadException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fetcher resolves once, checks the address it will connect to, and connects to exactly that address: a name
 * that resolves to a metadata or private address is refused before any connection, and a name pinned to the
 * allowlisted loopback address is fetched from it. Timeouts and the deadline hold, and an unwanted download stops.
 */
class GuardedFetcherTest {
    private static ImageHost images;

    @BeforeAll
    static void start() {
        images = new ImageHost();
    }

    @AfterAll
    static void stop() {
        images.close();
    }

    /** A resolver with fixed answers: the tests never ask real DNS. */
    private static GuardedFetcher.HostResolver table(Map<String, String> names) {
        return host -> {
            String ip = names.get(host);
            if (ip == null) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[]{InetAddress.getByName(ip)};
        };
    }

    private static GuardedFetcher fetcher(Duration read, Duration deadline) {
        return new GuardedFetcher(new ImageLimits(1 << 20, 1_000_000, Duration.ofSeconds(1), read, 2),
                new AddressPolicy(List.of(Cidr.parse("127.0.0.1/32"))),
                table(Map.of("images.test", "127.0.0.1", "metadata.test", "169.254.169.254",
                        "intranet.test", "10.1.2.3")), deadline);
    }

    @Test
    void namesAreCheckedAtTheAddressTheyResolveTo() {
        GuardedFetcher f = fetcher(Duration.ofSeconds(2), Duration.ofSeconds(5));
        byte[] png = f.fetch(URI.create("http://images.test:" + images.port() + "/img/cat_small_20x16.png"));
        assertEquals(3510, png.length);
        ImageLoadException metadata = assertThrows(ImageLoadException.class,
                () -> f.fetch(URI.create("http://metadata.test/latest/meta-data/")));
        assertTrue(metadata.getMessage().contains("169.254.169.254") && metadata.getMessage().contains("link-local"),
                metadata.getMessage());
        ImageLoadException intranet = assertThrows(ImageLoadException.class,
                () -> f.fetch(URI.create("https://intranet.test/x.png")));
        assertTrue(intranet.getMessage().contains("private"), intranet.getMessage());
        assertTrue(assertThrows(ImageLoadException.class, () -> f.fetch(URI.create("http://nowhere.test/x")))
                .getMessage().contains("unknown host"));
        assertTrue(assertThrows(ImageLoadException.class, () -> f.fetch(URI.create("http://u:p@images.test/x")))
                .getMessage().contains("credentials"));
    }

    @Test
    void readTimeoutAndDeadline() {
        long start = System.nanoTime();
        ImageLoadException slow = assertThrows(ImageLoadException.class,
                () -> fetcher(Duration.ofMillis(300), Duration.ofSeconds(5)).fetch(URI.create(images.url("/slow"))));
        assertTrue(slow.getMessage().contains("read timed out"), slow.getMessage());
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "gave up after the read timeout");
        start = System.nanoTime();
        assertThrows(ImageLoadException.class,
                () -> fetcher(Duration.ofSeconds(5), Duration.ofMillis(400)).fetch(URI.create(images.url("/slow"))));
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "gave up at the deadline");
    }

    /**
     * A host that sends one header line every 200 ms never lets a read time out (500 ms); the deadline (1 s) still
     * ends the download (such a host held a fetch for 60 s against a 30 s deadline).
     */
    @Test
    void theDeadlineHoldsWhileHeadersTrickleIn() throws Exception {
        try (TricklingHost host = new TricklingHost()) {
            long start = System.nanoTime();
            ImageLoadException e = assertThrows(ImageLoadException.class,
                    () -> fetcher(Duration.ofMillis(500), Duration.ofSeconds(1))
                            .fetch(URI.create("http://images.test:" + host.port() + "/x.png")));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
            assertTrue(millis < 5_000, "gave up after " + millis + " ms, not at the 1 s deadline");
        }
    }

    /**
     * A download that is no longer wanted stops within a fraction of a second, its connection closed, though the
     * trickling host would hold it to the 30 s deadline.
     */
    @Test
    void anUnwantedDownloadStopsAndClosesItsConnection() throws Exception {
        try (TricklingHost host = new TricklingHost()) {
            long start = System.nanoTime();
            long stopAt = start + 500_000_000L;
            ImageLoadException e = assertThrows(ImageLoadException.class,
                    () -> fetcher(Duration.ofSeconds(5), Duration.ofSeconds(30))
                            .fetch(URI.create("http://images.test:" + host.port() + "/x.png"),
                                    () -> System.nanoTime() > stopAt));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().contains("stopped"), e.getMessage());
            assertTrue(millis >= 500 && millis < 3_000, "stopped after " + millis + " ms, asked to at 500 ms");
            long end = System.nanoTime() + 3_000_000_000L;
            while (host.hungUp() == 0 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertEquals(1, host.hungUp(), "the host saw its connection closed");
        }
    }
}
