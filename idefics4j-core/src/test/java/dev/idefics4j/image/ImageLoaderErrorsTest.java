package dev.idefics4j.image;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per kind of bad input; URLs are served by a local HTTP server on the loopback address only. */
class ImageLoaderErrorsTest {
    private static final Duration NO_HANG = Duration.ofSeconds(20);
    private static final long CAP = 100_000;
    /** Generous timeouts: a busy CI machine must not turn a slow first request into a timeout. */
    private static final ImageLimits LIMITS = ImageLimits.DEFAULTS.withMaxEncodedBytes(CAP)
            .withReadTimeout(Duration.ofSeconds(10)).withConnectTimeout(Duration.ofSeconds(10)).withMaxRedirects(3);

    private static HttpServer server;
    private static ExecutorService executor;
    private static final CountDownLatch RELEASE_STALLS = new CountDownLatch(1);
    private static final AtomicLong BIG_BYTES_WRITTEN = new AtomicLong();
    private static byte[] png;
    private static ImageLoader loader;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws IOException {
        png = Files.readAllBytes(TestData.fixture("images/cat_small_20x16.png"));
        executor = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/image.png", ex -> respond(ex, 200, "image/png", png));
        server.createContext("/404", ex -> respond(ex, 404, "text/plain", "nothing here".getBytes()));
        server.createContext("/500", ex -> respond(ex, 500, "text/plain", "broken".getBytes()));
        server.createContext("/page.html", ex -> respond(ex, 200, "text/html",
                "<!DOCTYPE html><html><body>not an image</body></html>".getBytes(StandardCharsets.UTF_8)));
        // /hops/N redirects N times before the image.
        server.createContext("/hops/", ex -> {
            int n = Integer.parseInt(ex.getRequestURI().getPath().substring("/hops/".length()));
            redirect(ex, n == 1 ? "/image.png" : "/hops/" + (n - 1));
        });
        server.createContext("/loop", ex -> redirect(ex, "/loop"));
        server.createContext("/to-file", ex -> redirect(ex, "file:///etc/passwd"));
        server.createContext("/big", ImageLoaderErrorsTest::endlessBody);
        server.createContext("/announced-big", ex -> {
            ex.sendResponseHeaders(200, 50_000_000);
            ex.getResponseBody().write(png, 0, 10);
            ex.getResponseBody().flush();
            stall(ex);
        });
        server.createContext("/stall-body", ex -> {
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().write(png, 0, 10);
            ex.getResponseBody().flush();
            stall(ex);
        });
        server.createContext("/stall-headers", ImageLoaderErrorsTest::stall);
        server.start();
        loader = new ImageLoader(LIMITS);
    }

    @AfterAll
    static void stopServer() {
        RELEASE_STALLS.countDown();
        loader.close();
        server.stop(0);
        executor.shutdownNow();
    }

    private static void respond(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    /** A PNG header followed by up to 50 MB, chunked: the client has to stop reading by itself. */
    private static void endlessBody(HttpExchange ex) throws IOException {
        ex.sendResponseHeaders(200, 0);
        byte[] chunk = new byte[16 * 1024];
        System.arraycopy(png, 0, chunk, 0, 64);
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < 50_000_000 / chunk.length; i++) {
                out.write(chunk);
                BIG_BYTES_WRITTEN.addAndGet(chunk.length);
            }
        } catch (IOException expected) {
            // the client hung up
        }
    }

    private static void stall(HttpExchange ex) {
        try {
            RELEASE_STALLS.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ex.close();
    }

    private static URI url(String path) {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
                + path);
    }

    /** Asserts a failure whose message names {@code source} and contains {@code problem}. */
    private static ImageLoadException fails(ImageSource source, String problem) {
        return fails(() -> loader.load(source), source.description(), problem);
    }

    private static ImageLoadException fails(Supplier<?> action, String source, String problem) {
        ImageLoadException e = assertTimeoutPreemptively(NO_HANG,
                () -> assertThrows(ImageLoadException.class, action::get));
        assertTrue(e.getMessage().startsWith(source + ": "), "message should name the source: " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message should say '" + problem + "': " + e.getMessage());
        return e;
    }

    @Test
    void loadsFromUrlAndDataUrlAsFromFile() {
        RgbImage fromFile = loader.load(ImageSource.file(TestData.fixture("images/cat_small_20x16.png")));
        assertEquals(fromFile, loader.load(ImageSource.url(url("/image.png"))));
        assertEquals(fromFile, loader.load(url("/image.png").toString()));
        assertEquals(fromFile, loader.load("data:image/png;base64," + Base64.getEncoder().encodeToString(png)));
        assertEquals(fromFile, loader.load(ImageSource.url(url("/hops/3"))), "3 redirects are allowed");
    }

    @Test
    void missingFile() {
        fails(ImageSource.file(tmp.resolve("no-such.png")), "file not found");
    }

    @Test
    void truncatedJpeg() throws IOException {
        failsWhenTruncated("rocket_rgb_200x320.jpg", "JPEG");
    }

    @Test
    void truncatedPng() throws IOException {
        failsWhenTruncated("astronaut_rgba_64x80.png", "PNG");
    }

    /** The first 60% of a fixture image, saved as a file, must not load. */
    private void failsWhenTruncated(String fixture, String format) throws IOException {
        byte[] bytes = Files.readAllBytes(TestData.fixture("images/" + fixture));
        Path file = tmp.resolve("truncated-" + fixture);
        Files.write(file, Arrays.copyOf(bytes, bytes.length * 3 / 5));
        fails(ImageSource.file(file), "truncated or corrupt " + format + " data");
    }

    @Test
    void corruptGif() throws IOException {
        byte[] bytes = Files.readAllBytes(TestData.fixture("images/coffee_palette_48x48.gif"));
        fails(ImageSource.bytes(Arrays.copyOf(bytes, bytes.length / 2), "half.gif"), "truncated or corrupt GIF data");
    }

    @Test
    void nonImageBytes() {
        ImageSource text = ImageSource.bytes("hello, world".getBytes(StandardCharsets.US_ASCII), "greeting.txt");
        fails(text, "not an image in a supported format");
        fails(ImageSource.bytes(new byte[0], "empty"), "empty");
    }

    @Test
    void decompressionBomb() {
        ImageLoadException e = fails(ImageSource.bytes(pngHeader(100_000, 100_000), "bomb.png"),
                "possible decompression bomb");
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
    }

    @Test
    void fileOverTheByteCap() throws IOException {
        Path file = tmp.resolve("big.png");
        Files.write(file, new byte[(int) CAP + 1]);
        fails(ImageSource.file(file), "more than the limit of " + CAP + " bytes");
    }

    @Test
    void downloadOverTheCapIsCutOffWhileReading() {
        fails(ImageSource.url(url("/big")), "download exceeds the limit of " + CAP + " bytes");
        assertTrue(BIG_BYTES_WRITTEN.get() < 40_000_000, "the client must hang up long before the server is done: "
                + BIG_BYTES_WRITTEN.get() + " bytes written");
        fails(ImageSource.url(url("/announced-big")), "the server announces 50000000 bytes");
    }

    @Test
    void httpErrors() {
        fails(ImageSource.url(url("/404")), "HTTP error 404 from " + url("/404"));
        fails(ImageSource.url(url("/500")), "HTTP error 500");
    }

    @Test
    void redirectLoopStopsAtTheLimit() {
        fails(ImageSource.url(url("/loop")), "too many redirects (more than 3)");
        fails(ImageSource.url(url("/hops/4")), "too many redirects (more than 3)");
        fails(ImageSource.url(url("/to-file")), "redirect to a non-http(s) URL: file:///etc/passwd");
    }

    @Test
    void readTimeoutWhenTheServerStalls() {
        try (ImageLoader impatient = new ImageLoader(LIMITS.withReadTimeout(Duration.ofMillis(400)))) {
            for (String path : new String[]{"/stall-body", "/stall-headers"}) {
                ImageSource source = ImageSource.url(url(path));
                fails(() -> impatient.load(source), source.description(), "read timed out");
            }
        }
    }

    @Test
    void connectionRefused() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port + "/image.png");
        fails(ImageSource.url(closed), "cannot connect: connection refused");
    }

    @Test
    void htmlInsteadOfAnImage() {
        fails(ImageSource.url(url("/page.html")), "not an image in a supported format (JPEG, PNG, GIF, BMP, WebP or "
                + "TIFF); it starts with \"<!DOCTYPE html>");
    }

    @Test
    void invalidDataUrls() {
        fails(ImageSource.dataUrl("data:image/png;base64,not*base64!"), "invalid base64");
        fails(ImageSource.dataUrl("data:image/png;base64"), "no ','");
        fails(ImageSource.dataUrl("data:image/png,%89PNG"), "only base64");
        fails(ImageSource.dataUrl("data:image/png;base64,"), "empty");
        fails(ImageSource.dataUrl("data:text/plain;base64,"
                + Base64.getEncoder().encodeToString("plain text".getBytes())), "not an image");
        String huge = "data:image/png;base64," + "A".repeat((int) CAP * 2);
        fails(ImageSource.dataUrl(huge), "more than the limit");
    }

    @Test
    void descriptionsAreShort() {
        assertEquals(url("/x.png").toString(), ImageSource.url(url("/x.png")).description());
        assertEquals("a/b.png", ImageSource.parse("a/b.png").description());
        String data = ImageSource.parse("data:image/png;base64," + "A".repeat(10_000)).description();
        assertTrue(data.length() < 100 && data.startsWith("data:image/png;base64,..."), data);
    }

    /** A PNG signature and IHDR chunk (valid CRC) claiming {@code width x height}, then an empty IDAT and IEND. */
    static byte[] pngHeader(int width, int height) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[0]);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
