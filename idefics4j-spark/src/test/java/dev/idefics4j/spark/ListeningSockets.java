package dev.idefics4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets a Linux process listens on, as the kernel reports them: the listening entries (state {@code 0A})
 * of {@code /proc/PID/net/tcp} and {@code tcp6} whose inodes are among the process's open sockets
 * ({@code /proc/PID/fd}).
 */
final class ListeningSockets {
    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    static boolean supported() {
        return Files.isReadable(Path.of("/proc/self/net/tcp")) && Files.isDirectory(Path.of("/proc/self/fd"));
    }

    /** The addresses {@code pid} listens on; empty once the process has gone. */
    static Set<InetSocketAddress> of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        Set<String> inodes = new HashSet<>();
        Set<InetSocketAddress> listening = new HashSet<>();
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : fds.toList()) {
                String target = readLink(fd);
                if (target != null && target.startsWith("socket:[")) {
                    inodes.add(target.substring("socket:[".length(), target.length() - 1));
                }
            }
            for (String table : List.of("tcp", "tcp6")) {
                Path file = proc.resolve("net").resolve(table);
                if (!Files.exists(file)) {
                    continue;
                }
                for (String line : Files.readAllLines(file).stream().skip(1).toList()) {
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                    String[] f = line.strip().split("\\s+");
                    if (f[3].equals(LISTEN) && inodes.contains(f[9])) {
                        listening.add(address(f[1]));
                    }
                }
            }
        } catch (IOException e) {
            if (Files.exists(proc)) {
                throw new UncheckedIOException(e);
            }
        }
        return listening;
    }

    private static String readLink(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return null; // closed since the listing
        }
    }

    /**
     * {@code ADDRESS:PORT} in hex: the address as the kernel's 32-bit words (network byte order in memory, printed
     * as native integers), the port as a number.
     */
    static InetSocketAddress address(String hex) {
        int colon = hex.indexOf(':');
        String words = hex.substring(0, colon);
        byte[] bytes = new byte[words.length() / 2];
        for (int w = 0; w < words.length() / 8; w++) {
            long word = Long.parseLong(words.substring(w * 8, w * 8 + 8), 16);
            for (int b = 0; b < 4; b++) {
                int shift = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 8 * b : 24 - 8 * b;
                bytes[w * 4 + b] = (byte) (word >>> shift);
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), Integer.parseInt(hex.substring(colon + 1),
                    16));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + hex, e);
        }
    }
}
