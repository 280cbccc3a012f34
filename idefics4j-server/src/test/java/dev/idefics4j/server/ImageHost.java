package dev.idefics4j.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.idefics4j.testing.TestData;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.concurrent.Executors;
import java.util.zip.CRC32;

/**
 * A local image server on 127.0.0.1 for the tests: fixture images, redirect chains, an oversized announcement, an
 * endless body, a slow answer and a decompression bomb's header. It only ever binds to loopback.
 */
final class ImageHost implements AutoCloseable {
    private final HttpServer server;

    ImageHost() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/img/", ex -> {
            String name = ex.getRequestURI().getPath().substring("/img/".length());
            send(ex, 200, Files.readAllBytes(TestData.fixture("images/" + name)));
        });
        server.createContext("/redirect/", ex -> {
            int left = Integer.parseInt(ex.getRequestURI().getPath().substring("/redirect/".length()));
            ex.getResponseHeaders().add("Location", left == 0 ? "/img/cat_small_20x16.png" : "/redirect/" + (left - 1));
            send(ex, 302, new byte[0]);
        });
        server.createContext("/redirect-to-127.0.0.2", ex -> {
            ex.getResponseHeaders().add("Location", "http://127.0.0.2:" + port() + "/img/cat_small_20x16.png");
            send(ex, 302, new byte[0]);
        });
        server.createContext("/huge", ex -> {
            ex.sendResponseHeaders(200, 1L << 30); // announces a gigabyte, sends a little
            try (OutputStream out = ex.getResponseBody()) {
                out.write(new byte[16]);
                out.flush();
            } catch (IOException e) {
                // the fetcher hung up, as it should
            }
        });
        server.createContext("/endless", ex -> {
            ex.sendResponseHeaders(200, 0); // chunked, never ends on its own
            try (OutputStream out = ex.getResponseBody()) {
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 10_000; i++) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // the fetcher hung up, as it should
            }
        });
        server.createContext("/slow", ex -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(ex, 200, Files.readAllBytes(TestData.fixture("images/cat_small_20x16.png")));
        });
        server.createContext("/bomb.png", ex -> send(ex, 200, pngHeader(50_000, 50_000)));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "image/png");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** A PNG whose header claims {@code width x height} pixels (no image data follows). */
    static byte[] pngHeader(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes()).putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        out.writeBytes(new byte[]{0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82});
        return out.toByteArray();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
