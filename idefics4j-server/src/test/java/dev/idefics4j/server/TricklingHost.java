package dev.idefics4j.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile image host on loopback: every connection gets a status line and then one header line every 200 ms, for a
 * minute, so that no read ever times out and only the fetch's deadline (or its being stopped) ends it.
 */
final class TricklingHost implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> clients = new ArrayList<>();
    private final AtomicInteger hungUp = new AtomicInteger();

    TricklingHost() throws IOException {
        socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    synchronized (clients) {
                        clients.add(client);
                    }
                    Thread.ofVirtual().start(() -> trickle(client));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    private void trickle(Socket client) {
        try (client) {
            OutputStream out = client.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 300; i++) {
                Thread.sleep(200);
                out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            hungUp.incrementAndGet(); // the fetcher hung up, as it should at its deadline
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Connections the fetcher closed before the minute was over. */
    int hungUp() {
        return hungUp.get();
    }

    int port() {
        return socket.getLocalPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/cat.png";
    }

    @Override
    public void close() throws IOException {
        socket.close();
        synchronized (clients) {
            for (Socket c : clients) {
                c.close();
            }
        }
    }
}
