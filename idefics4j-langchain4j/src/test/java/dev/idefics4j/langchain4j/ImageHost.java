package dev.idefics4j.langchain4j;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.concurrent.Executors;

/** The fixture images over HTTP on 127.0.0.1 (and only there), for image URLs in the tests. */
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
            byte[] body = Files.readAllBytes(Reference.image(ex.getRequestURI().getPath().substring(5)));
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String url(String image) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/img/" + image;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
