package dev.idefics4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The Hub's HTTP endpoints. Redirects are followed here rather than by {@link HttpClient} because the token must
 * stay with the Hub: LFS files are answered with a redirect to a storage host, which must not receive it.
 */
final class HubHttp {
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final String USER_AGENT = "idefics4j/0.1; java/" + Runtime.version().feature();

    private final HubConfig config;
    private final HttpClient client;

    HubHttp(HubConfig config) {
        this.config = config;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.timeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** {@code GET /api/models/{repo}/revision/{revision}?blobs=true}: the commit and the files with their hashes. */
    RepoInfo revisionInfo(String repoId, String revision) {
        URI url = URI.create(config.endpoint() + "/api/models/" + repoId + "/revision/" + encode(revision, false)
                + "?blobs=true");
        HttpResponse<InputStream> r = send("GET", url, 0, true, new HubTarget(repoId, revision, null));
        try (InputStream in = r.body()) {
            return RepoInfo.parse(in.readAllBytes(), url.toString());
        } catch (IOException e) {
            throw network(url, e);
        }
    }

    /** The URL of {@code path} at {@code commit}: {@code /{repo}/resolve/{commit}/{path}}. */
    URI fileUrl(String repoId, String commit, String path) {
        return URI.create(config.endpoint() + "/" + repoId + "/resolve/" + encode(commit, false) + "/"
                + encode(path, true));
    }

    /**
     * A file's cache identity from {@code HEAD} on its URL, for listings without blob metadata. The Hub answers LFS
     * files with a redirect whose {@code X-Linked-Etag} is the content's sha256 and {@code X-Linked-Size} its size.
     */
    RepoFile head(HubTarget target, URI url) {
        HttpResponse<InputStream> r = send("HEAD", url, 0, false, target);
        close(r);
        var h = r.headers();
        String linked = h.firstValue("X-Linked-Etag").map(HubHttp::normalizeEtag).orElse(null);
        String etag = linked != null ? linked : h.firstValue("ETag").map(HubHttp::normalizeEtag).orElse(null);
        if (etag == null) {
            throw new HubException(HubException.Kind.OTHER, "The Hub sent no ETag for " + target.describe()
                    + "; is HF_ENDPOINT (" + config.endpoint() + ") a Hub?");
        }
        String size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length")).orElse("-1");
        boolean lfs = linked != null && linked.matches("[0-9a-f]{64}");
        return new RepoFile(target.file(), parseLong(size), lfs ? null : etag, lfs ? linked : null);
    }

    /**
     * {@code GET url} from byte {@code from} on, after every redirect. Answers 200, 206 or 416 (range not
     * satisfiable); the caller checks which and closes the body.
     */
    HttpResponse<InputStream> download(URI url, long from, HubTarget target) {
        return send("GET", url, from, true, target);
    }

    /** Whether this answer came from the Hub itself, so a token would have been sent. */
    boolean fromHub(HttpResponse<?> r) {
        return sameOrigin(r.uri(), config.endpoint());
    }

    private HttpResponse<InputStream> send(String method, URI url, long from, boolean followOffsite,
                                           HubTarget target) {
        if (config.offline()) {
            throw new IllegalStateException("offline mode must not reach the network: " + url);
        }
        URI current = url;
        boolean trusted = sameOrigin(url, config.endpoint());
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current)
                    .timeout(config.timeout())
                    .header("User-Agent", USER_AGENT)
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (trusted && config.token() != null) {
                b.header("Authorization", "Bearer " + config.token());
            }
            if (from > 0) {
                b.header("Range", "bytes=" + from + "-");
            }
            HttpResponse<InputStream> r = exchange(b.build());
            int status = r.statusCode();
            String location = r.headers().firstValue("Location").orElse(null);
            if (REDIRECTS.contains(status) && location != null) {
                URI next = current.resolve(location);
                if (!sameOrigin(next, current) && !followOffsite) {
                    return r; // the Hub's own answer carries the file's metadata
                }
                close(r);
                trusted = trusted && sameOrigin(next, current);
                current = next;
                continue;
            }
            if (status >= 400 && status != 416) {
                byte[] body = readSome(r);
                throw HubErrors.forStatus(status, r.headers(), body, current, fromHub(r),
                        r.request().headers().firstValue("Authorization").isPresent(), target, config.endpoint());
            }
            return r;
        }
        throw new HubException(HubException.Kind.OTHER, "More than " + MAX_REDIRECTS + " redirects from " + url);
    }

    private HttpResponse<InputStream> exchange(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw network(request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.OTHER, "Interrupted while talking to " + request.uri(), e);
        }
    }

    static HubException network(URI url, IOException e) {
        String why = e instanceof HttpConnectTimeoutException ? "connection timed out"
                : e instanceof HttpTimeoutException ? "no answer in time"
                : e instanceof ConnectException ? "connection refused or host unreachable"
                : Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        return new HubException(HubException.Kind.NETWORK, "Cannot reach " + url.getScheme() + "://"
                + url.getAuthority() + " (" + why + "). Check the network connection and HF_ENDPOINT; set"
                + " HF_HUB_OFFLINE=1 to use only models already in the cache.", e);
    }

    /** Origins as browsers and requests compare them when deciding to keep credentials: scheme, host and port. */
    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost())) && port(a) == port(b);
    }

    /** Percent-encodes as Python's {@code quote}: unreserved characters stay, and {@code /} when {@code keepSlash}. */
    static String encode(String s, boolean keepSlash) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.~".indexOf(c) >= 0
                    || (keepSlash && c == '/')) {
                sb.append(c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    /** {@code "abc"} and {@code W/"abc"} both name blob {@code abc}. */
    static String normalizeEtag(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        return e.replace("\"", "");
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : "http".equalsIgnoreCase(u.getScheme()) ? 80 : -1;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static byte[] readSome(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            return in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return new byte[0]; // the status alone still explains the failure
        }
    }

    static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException e) {
            // nothing was wanted from this body
        }
    }
}
