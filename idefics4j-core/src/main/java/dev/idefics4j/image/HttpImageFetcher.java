package dev.idefics4j.image;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads an image over http(s) within {@link ImageLimits}: connect timeout, read timeout (for the headers and
 * between body pieces), a byte cap enforced while reading, and redirects followed by hand so each one is counted and
 * its target re-checked.
 */
final class HttpImageFetcher implements AutoCloseable {
    private final ImageLimits limits;
    private final HttpClient client;

    HttpImageFetcher(ImageLimits limits) {
        this.limits = limits;
        this.client = HttpClient.newBuilder()
                .connectTimeout(limits.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    byte[] fetch(ImageSource.Url source) {
        String where = source.description();
        URI uri = source.uri();
        for (int redirects = 0; ; redirects++) {
            String at = redirects == 0 ? "" : " (at " + uri + " after " + redirects + " redirect"
                    + (redirects == 1 ? "" : "s") + ")";
            HttpResponse<byte[]> response = send(uri, where, at);
            int status = response.statusCode();
            if (isRedirect(status)) {
                Optional<String> location = response.headers().firstValue("location");
                if (location.isEmpty()) {
                    throw ImageLoadException.of(where, "HTTP " + status + " redirect without a Location header" + at);
                }
                if (redirects >= limits.maxRedirects()) {
                    throw ImageLoadException.of(where, "too many redirects (more than " + limits.maxRedirects()
                            + ")" + at);
                }
                uri = resolve(uri, location.get(), where);
                continue;
            }
            if (status < 200 || status > 299) {
                throw ImageLoadException.of(where, "HTTP error " + status + " from " + uri);
            }
            return response.body();
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI resolve(URI base, String location, String where) {
        URI target;
        try {
            target = base.resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw ImageLoadException.of(where, "redirect to an invalid URL: " + location, e);
        }
        if (!ImageSource.Url.isHttp(target)) {
            throw ImageLoadException.of(where, "redirect to a non-http(s) URL: " + target);
        }
        return target;
    }

    private HttpResponse<byte[]> send(URI uri, String where, String at) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                // HTTP/2 only where TLS negotiates it: a cleartext h2c upgrade request confuses some servers.
                .version(uri.getScheme().equalsIgnoreCase("https") ? HttpClient.Version.HTTP_2
                        : HttpClient.Version.HTTP_1_1)
                .timeout(limits.readTimeout())
                .header("Accept", "image/*")
                .GET()
                .build();
        AtomicLong lastActivity = new AtomicLong(System.nanoTime());
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request, info -> {
            lastActivity.set(System.nanoTime());
            int status = info.statusCode();
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            boolean wanted = status >= 200 && status <= 299;
            if (wanted && declared > limits.maxEncodedBytes()) {
                throw ImageLoadException.of(where, "the server announces " + declared + " bytes, more than the limit"
                        + " of " + limits.maxEncodedBytes() + " bytes" + at);
            }
            return new CappedBodySubscriber(limits.maxEncodedBytes(), !wanted, lastActivity);
        });
        return await(future, lastActivity, where, at);
    }

    /** Waits while the transfer makes progress; gives up once nothing has arrived for a whole read timeout. */
    private HttpResponse<byte[]> await(CompletableFuture<HttpResponse<byte[]>> future, AtomicLong lastActivity,
                                       String where, String at) {
        long timeoutNanos = limits.readTimeout().toNanos();
        long pollMillis = Math.clamp(limits.readTimeout().toMillis() / 4, 10, 1000);
        try {
            while (true) {
                try {
                    return future.get(pollMillis, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (System.nanoTime() - lastActivity.get() > timeoutNanos) {
                        future.cancel(true);
                        throw ImageLoadException.of(where, "read timed out: no data for "
                                + describe(limits.readTimeout()) + at);
                    }
                }
            }
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw ImageLoadException.of(where, "interrupted while downloading" + at, e);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), where, at);
        }
    }

    private ImageLoadException failure(Throwable cause, String where, String at) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            switch (t) {
                case ImageLoadException e -> {
                    return e;
                }
                case CappedBodySubscriber.TooLargeException e -> {
                    return ImageLoadException.of(where, "download exceeds the limit of " + limits.maxEncodedBytes()
                            + " bytes (stopped after " + e.bytesSeen + " bytes)" + at);
                }
                case HttpConnectTimeoutException e -> {
                    return ImageLoadException.of(where, "connect timed out after "
                            + describe(limits.connectTimeout()) + at, e);
                }
                case HttpTimeoutException e -> {
                    return ImageLoadException.of(where, "read timed out: no response within "
                            + describe(limits.readTimeout()) + at, e);
                }
                case ConnectException e -> {
                    String reason = e.getMessage() != null ? e.getMessage() : "connection refused";
                    return ImageLoadException.of(where, "cannot connect: " + reason + at, e);
                }
                default -> {
                }
            }
        }
        String kind = cause instanceof IOException ? "download failed: " : "download failed unexpectedly: ";
        return ImageLoadException.of(where, kind + messageOf(cause) + at, cause);
    }

    private static String messageOf(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
