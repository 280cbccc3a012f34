package dev.idefics4j.server;

import dev.idefics4j.image.ImageLimits;
import dev.idefics4j.image.ImageLoadException;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Downloads images for requests that arrive over the network, where the URL is the caller's choice: each hop's host
 * is resolved once, the address is checked against the {@link AddressPolicy}, and the connection goes to that very
 * address (so a second DNS answer cannot swap in a private one); TLS still verifies the certificate against the
 * host name. HTTP/1.1 is spoken by hand for that reason. Redirects are followed by hand, counted and re-checked;
 * the byte cap holds while reading (a larger Content-Length is refused before the body), each read waits at most
 * the read timeout, and the whole download, redirects included, must end within the deadline. A download whose
 * caller no longer wants it (its client left) is stopped within {@value #STOP_POLL_MILLIS} ms of being told so: its
 * connection is closed, not left to run to the deadline.
 */
public final class GuardedFetcher {
    /** Host name to addresses; the JDK's resolver by default, a fixed table in tests. */
    @FunctionalInterface
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final int MAX_HEADER_BYTES = 32 * 1024;
    /** How often a running download asks whether it is still wanted. */
    private static final long STOP_POLL_MILLIS = 100;

    private final ImageLimits limits;
    private final AddressPolicy policy;
    private final HostResolver resolver;
    private final Duration deadline;
    /** Closes the sockets of downloads that pass their deadline or are stopped (one daemon thread for all). */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("idefics4j-fetch-deadline").daemon().factory());

    public GuardedFetcher(ImageLimits limits, AddressPolicy policy, HostResolver resolver, Duration deadline) {
        this.limits = limits;
        this.policy = policy;
        this.resolver = resolver;
        this.deadline = deadline;
    }

    private record Response(int status, Map<String, String> headers, byte[] body) {
    }

    /** The body of a 2xx answer to GET {@code uri}, after at most {@code maxRedirects} checked redirects. */
    public byte[] fetch(URI uri) {
        return fetch(uri, () -> false);
    }

    /**
     * Like {@link #fetch(URI)}, but stopped (an {@link ImageLoadException}, the connection closed) once {@code stop}
     * answers true; it is asked from another thread while the download waits on its host.
     */
    public byte[] fetch(URI uri, BooleanSupplier stop) {
        String where = uri.toString();
        long end = System.nanoTime() + deadline.toNanos();
        URI current = uri;
        for (int redirects = 0; ; redirects++) {
            if (stop.getAsBoolean()) {
                throw stopped(where);
            }
            Response r = get(current, where, end, stop);
            if (isRedirect(r.status())) {
                String location = r.headers().get("location");
                if (location == null) {
                    throw fail(where, "HTTP " + r.status() + " redirect without a Location header");
                }
                if (redirects >= limits.maxRedirects()) {
                    throw fail(where, "too many redirects (at most " + limits.maxRedirects() + " are followed)");
                }
                current = redirectTarget(current, location, where);
                continue;
            }
            if (r.status() < 200 || r.status() > 299) {
                throw fail(where, "HTTP error " + r.status() + " from " + current);
            }
            return r.body();
        }
    }

    private Response get(URI uri, String where, long end, BooleanSupplier stop) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean https = scheme.equals("https");
        if (!https && !scheme.equals("http")) {
            throw fail(where, "only http and https URLs can be fetched, not " + uri);
        }
        if (uri.getRawUserInfo() != null) {
            throw fail(where, "URLs with credentials (user@host) are not fetched");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw fail(where, "the URL " + uri + " has no host");
        }
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        InetAddress address = checkedAddress(bareHost, where);
        AtomicBoolean expired = new AtomicBoolean();
        AtomicBoolean unwanted = new AtomicBoolean();
        ScheduledFuture<?> watchdog = null;
        ScheduledFuture<?> stopWatch = null;
        try (Socket socket = new Socket()) {
            // The deadline holds whatever the host does: a read timeout bounds one wait only, and a host that
            // sends a header line (or a TLS record) now and then would renew it for ever.
            watchdog = DEADLINES.schedule(() -> {
                expired.set(true);
                closeQuietly(socket);
            }, Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            // Closing the socket is what frees a download blocked in connect or read, and with it its slot.
            stopWatch = DEADLINES.scheduleWithFixedDelay(() -> {
                if (stop.getAsBoolean()) {
                    unwanted.set(true);
                    closeQuietly(socket);
                }
            }, STOP_POLL_MILLIS, STOP_POLL_MILLIS, TimeUnit.MILLISECONDS);
            connect(socket, address, port, where, end);
            Socket s = https ? tls(socket, bareHost, port) : socket;
            sendRequest(s.getOutputStream(), uri, host, port, https);
            InputStream in = new BufferedInputStream(s.getInputStream());
            int status;
            Map<String, String> headers;
            do {
                timeout(s, end, where);
                status = statusLine(readLine(in, where), where);
                headers = headers(in, where);
            } while (status >= 100 && status < 200);
            if (status < 200 || status > 299) {
                return new Response(status, headers, null);
            }
            return new Response(status, headers, body(in, s, headers, where, end));
        } catch (IOException e) {
            if (unwanted.get()) {
                throw stopped(where);
            }
            if (expired.get()) {
                throw fail(where, "the download took longer than its deadline of " + describe(deadline));
            }
            if (e instanceof SocketTimeoutException) {
                throw fail(where, "read timed out: no data for " + describe(limits.readTimeout())
                        + " (or the download passed its deadline of " + describe(deadline) + ")");
            }
            throw fail(where, "download failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            if (stopWatch != null) {
                stopWatch.cancel(false);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all the watchdog can do
        }
    }

    /** Resolves once and returns the first address the policy allows; the caller connects to exactly that one. */
    private InetAddress checkedAddress(String host, String where) {
        InetAddress[] addresses;
        try {
            addresses = isIpLiteral(host) ? new InetAddress[]{InetAddress.getByName(host)} : resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw fail(where, "unknown host " + host);
        }
        String why = null;
        for (InetAddress a : addresses) {
            String refusal = policy.refusal(a);
            if (refusal == null) {
                return a;
            }
            why = "refused to fetch from " + host + " at " + a.getHostAddress() + ": " + refusal;
        }
        throw fail(where, why == null ? "unknown host " + host : why
                + " (the server's image allowlist can open such ranges)");
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** Connects {@code socket}, which its caller closes whatever happens. */
    private void connect(Socket socket, InetAddress address, int port, String where, long end) throws IOException {
        try {
            int connectMillis = (int) Math.max(1, Math.min(limits.connectTimeout().toMillis(), remainingMillis(end)));
            socket.connect(new InetSocketAddress(address, port), connectMillis);
        } catch (SocketTimeoutException e) {
            throw fail(where, "connect timed out after " + describe(limits.connectTimeout()));
        } catch (ConnectException e) {
            throw fail(where, "cannot connect to " + address.getHostAddress() + ":" + port + ": "
                    + (e.getMessage() == null ? "connection refused" : e.getMessage()));
        }
    }

    /** TLS over the already connected socket: SNI and certificate checks use the host name, not the address. */
    private static Socket tls(Socket socket, String host, int port) throws IOException {
        SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(socket, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(host)) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        return ssl;
    }

    private static void sendRequest(OutputStream out, URI uri, String host, int port, boolean https)
            throws IOException {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        boolean defaultPort = port == (https ? 443 : 80);
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + (defaultPort ? "" : ":" + port) + "\r\n"
                + "User-Agent: idefics4j-server\r\n"
                + "Accept: image/*\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private byte[] body(InputStream in, Socket s, Map<String, String> headers, String where, long end)
            throws IOException {
        long cap = limits.maxEncodedBytes();
        String encoding = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (encoding.contains("chunked")) {
            while (true) {
                timeout(s, end, where);
                String sizeLine = readLine(in, where);
                int semi = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
                } catch (NumberFormatException e) {
                    throw fail(where, "invalid chunked encoding from the server");
                }
                if (size == 0) {
                    headers(in, where); // trailers
                    return body.toByteArray();
                }
                if (body.size() + size > cap) {
                    throw tooLarge(where, body.size() + size);
                }
                copy(in, s, body, size, where, end);
                readLine(in, where);
            }
        }
        String declared = headers.get("content-length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw fail(where, "invalid Content-Length from the server: " + declared);
            }
            if (length > cap) {
                throw fail(where, "the server announces " + length + " bytes, more than the limit of " + cap
                        + " bytes");
            }
            copy(in, s, body, length, where, end);
            return body.toByteArray();
        }
        copy(in, s, body, -1, where, end);
        return body.toByteArray();
    }

    /** Copies {@code length} bytes (-1: until the end) into {@code out}, holding the cap, timeout and deadline. */
    private void copy(InputStream in, Socket s, ByteArrayOutputStream out, long length, String where, long end)
            throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long left = length;
        while (left != 0) {
            timeout(s, end, where);
            int want = left < 0 ? buffer.length : (int) Math.min(buffer.length, left);
            int n = in.read(buffer, 0, want);
            if (n < 0) {
                if (length < 0) {
                    return;
                }
                throw fail(where, "the server closed the connection before sending the whole image");
            }
            if (out.size() + (long) n > limits.maxEncodedBytes()) {
                throw tooLarge(where, out.size() + (long) n);
            }
            out.write(buffer, 0, n);
            if (left > 0) {
                left -= n;
            }
        }
    }

    /** Each read waits at most the read timeout, and never past the download's deadline. */
    private void timeout(Socket s, long end, String where) throws IOException {
        long remaining = remainingMillis(end);
        if (remaining <= 0) {
            throw fail(where, "the download took longer than its deadline of " + describe(deadline));
        }
        s.setSoTimeout((int) Math.max(1, Math.min(limits.readTimeout().toMillis(), remaining)));
    }

    private static long remainingMillis(long end) {
        return (end - System.nanoTime()) / 1_000_000;
    }

    private static int statusLine(String line, String where) {
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw fail(where, "the server did not answer HTTP/1.x: " + truncate(line));
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw fail(where, "invalid HTTP status line: " + truncate(line));
        }
    }

    /** Header fields up to the empty line, names in lower case (later repeats win, except none matter here). */
    private static Map<String, String> headers(InputStream in, String where) throws IOException {
        Map<String, String> headers = new HashMap<>();
        int total = 0;
        for (String line = readLine(in, where); !line.isEmpty(); line = readLine(in, where)) {
            total += line.length();
            if (total > MAX_HEADER_BYTES) {
                throw fail(where, "the server's response headers are too large");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).strip());
            }
        }
        return headers;
    }

    private static String readLine(InputStream in, String where) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw fail(where, "the server closed the connection in the middle of its response");
            }
            if (line.size() >= MAX_HEADER_BYTES) {
                throw fail(where, "the server sent an over-long line");
            }
            line.write(b);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI redirectTarget(URI base, String location, String where) {
        try {
            return base.resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw fail(where, "redirect to an invalid URL: " + truncate(location));
        }
    }

    private ImageLoadException tooLarge(String where, long seen) {
        return fail(where, "download exceeds the limit of " + limits.maxEncodedBytes() + " bytes (stopped after "
                + seen + " bytes)");
    }

    private static ImageLoadException stopped(String where) {
        return fail(where, "the download was stopped: it is no longer wanted (its client left)");
    }

    private static ImageLoadException fail(String where, String problem) {
        return new ImageLoadException(where + ": " + problem);
    }

    private static String truncate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
