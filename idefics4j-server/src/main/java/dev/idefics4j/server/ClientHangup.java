package dev.idefics4j.server;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.Request;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Tells whether the client of a request that waits for generation has hung up. A handler blocked on the engine
 * neither reads nor writes until the answer is ready, and over HTTP/1.1 Jetty reads a connection only when asked
 * to, so a closed connection goes unnoticed (a streaming handler learns it at its next write; a waiting one never
 * did). On Linux the kernel's table of TCP connections ({@code /proc/net/tcp6} and {@code /proc/net/tcp}) shows it:
 * a client that closed leaves the server's end in CLOSE_WAIT, one that reset it removes the entry. The tables are
 * read when the request is admitted and then at most every {@value #PROBE_MILLIS} ms; the absence of an entry counts
 * only after it was once seen established, so an address written differently than expected never cancels a request.
 * Elsewhere, and for failures Jetty does report (HTTP/2 resets, say), Jetty's failure listener tells.
 */
final class ClientHangup {
    private static final long PROBE_MILLIS = 250;
    /** The tables this machine has (none off Linux), looked up once. */
    private static final List<Path> TABLES = Stream.of(Path.of("/proc/net/tcp6"), Path.of("/proc/net/tcp"))
            .filter(Files::isReadable).toList();
    private static final String ESTABLISHED = "01";

    /** The connection as the tables write it: local and remote address:port, IPv6 (or IPv4-mapped) and IPv4. */
    private final String local6;
    private final String remote6;
    private final String local4;
    private final String remote4;
    private volatile boolean left;
    private boolean seenEstablished;
    private boolean probing;
    private long nextProbe;

    private ClientHangup(String local6, String remote6, String local4, String remote4) {
        this.local6 = local6;
        this.remote6 = remote6;
        this.local4 = local4;
        this.remote4 = remote4;
        probing = local6 != null && !TABLES.isEmpty();
    }

    /** A watch on the connection of {@code client}; never null (one that cannot tell answers false). */
    static ClientHangup of(HttpServletRequest client) {
        ClientHangup h;
        try {
            InetAddress local = InetAddress.getByName(client.getLocalAddr());   // literal addresses: no lookup
            InetAddress remote = InetAddress.getByName(client.getRemoteAddr());
            h = new ClientHangup(entry6(local, client.getLocalPort()), entry6(remote, client.getRemotePort()),
                    entry4(local, client.getLocalPort()), entry4(remote, client.getRemotePort()));
        } catch (UnknownHostException | RuntimeException e) {
            h = new ClientHangup(null, null, null, null);
        }
        ClientHangup watch = h;
        // Look the connection up once now, while the request is being read and so surely open: a client that hangs
        // up before the waiting handler's first look (a short prefill) would otherwise never have been seen.
        watch.gone();
        try {
            Request request = ServletContextRequest.getServletContextRequest(client);
            if (request != null) {
                request.addFailureListener(failure -> watch.left = true);
            }
        } catch (IllegalStateException e) {
            // not a Jetty request: the tables alone tell
        }
        return watch;
    }

    /**
     * Whether the client is known to be gone; once it is, it stays so. Synchronized: the request's thread and the
     * watch over its image downloads both ask.
     */
    synchronized boolean gone() {
        if (left) {
            return true;
        }
        long now = System.nanoTime() / 1_000_000;
        if (!probing || now < nextProbe) {
            return false;
        }
        nextProbe = now + PROBE_MILLIS;
        String state = null;
        try {
            for (Path table : TABLES) {
                state = find(Files.readAllLines(table));
                if (state != null) {
                    break;
                }
            }
        } catch (IOException e) {
            probing = false;
            return false;
        }
        if (state == null && !seenEstablished) {
            return false;
        }
        if (state != null && state.equals(ESTABLISHED)) {
            seenEstablished = true;
            return false;
        }
        left = true; // remembered: between probes a gone client must not look present again
        return true;
    }

    /** The state column of this connection's line, or null when no line is it. */
    private String find(List<String> lines) {
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && ((f[1].equals(local6) && f[2].equals(remote6))
                    || (local4 != null && f[1].equals(local4) && f[2].equals(remote4)))) {
                return f[3];
            }
        }
        return null;
    }

    /**
     * An address and port as the tables print them: each 32-bit word of the address in the kernel's byte order
     * (little-endian here: 127.0.0.1 is 0100007F), then the port in hex. IPv4 addresses appear in tcp6 mapped.
     */
    static String entry6(InetAddress a, int port) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(b, 0, mapped, 12, 4);
            b = mapped;
        }
        return words(b) + ":" + String.format("%04X", port);
    }

    /** The tcp (IPv4) form, or null for an IPv6 address that is not IPv4-mapped. */
    static String entry4(InetAddress a, int port) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return null;
                }
            }
            if (b[10] != (byte) 0xFF || b[11] != (byte) 0xFF) {
                return null;
            }
            b = java.util.Arrays.copyOfRange(b, 12, 16);
        }
        return words(b) + ":" + String.format("%04X", port);
    }

    private static String words(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int w = 0; w < b.length; w += 4) {
            for (int i = 3; i >= 0; i--) {
                s.append(String.format("%02X", b[w + i] & 0xFF));
            }
        }
        return s.toString();
    }
}
