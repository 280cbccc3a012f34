package dev.idefics4j.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where and how {@link HubClient} talks to the Hub. {@link #fromEnvironment} reads the same variables as Python's
 * {@code huggingface_hub}, so both share one cache and one token; the {@code with*} methods override them in code.
 *
 * @param endpoint     the Hub base URL, without a trailing slash ({@code HF_ENDPOINT})
 * @param token        the access token sent as {@code Authorization: Bearer}, or null for anonymous access
 * @param cacheDir     the hub cache holding {@code models--org--name} folders ({@code HF_HUB_CACHE})
 * @param offline      never touch the network; serve from the cache or fail ({@code HF_HUB_OFFLINE})
 * @param progress     where download progress goes
 * @param maxRetries   how often one call resumes a download whose connection broke before giving up
 * @param retryBackoff the wait before the first such retry (doubled for each following one)
 * @param timeout      the limit for connecting and for the Hub to start answering a request
 */
public record HubConfig(URI endpoint, String token, Path cacheDir, boolean offline, DownloadProgress progress,
                        int maxRetries, Duration retryBackoff, Duration timeout) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HubConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(timeout, "timeout");
        String e = endpoint.toString();
        if (e.endsWith("/")) {
            endpoint = URI.create(e.replaceAll("/+$", ""));
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries < 0: " + maxRetries);
        }
    }

    /** The configuration the process environment describes. */
    public static HubConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * The configuration {@code env} describes, with huggingface_hub's defaults: {@code HF_HOME} (else
     * {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}); {@code HF_HUB_CACHE} (else the legacy
     * {@code HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub}); {@code HF_TOKEN} (else the legacy
     * {@code HUGGING_FACE_HUB_TOKEN}, else the file {@code HF_TOKEN_PATH}, default {@code $HF_HOME/token});
     * {@code HF_HUB_OFFLINE} or {@code TRANSFORMERS_OFFLINE} set to 1/true/yes/on; progress on standard error
     * unless {@code HF_HUB_DISABLE_PROGRESS_BARS} is true.
     */
    public static HubConfig fromEnvironment(Map<String, String> env) {
        String home = System.getProperty("user.home");
        Path hfHome = path(env.get("HF_HOME"), home);
        if (hfHome == null) {
            Path xdg = path(env.get("XDG_CACHE_HOME"), home);
            hfHome = (xdg != null ? xdg : Path.of(home, ".cache")).resolve("huggingface");
        }
        Path cache = path(firstSet(env, "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"), home);
        if (cache == null) {
            cache = hfHome.resolve("hub");
        }
        String token = firstSet(env, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN");
        if (token == null) {
            Path tokenPath = path(env.get("HF_TOKEN_PATH"), home);
            token = readToken(tokenPath != null ? tokenPath : hfHome.resolve("token"));
        }
        String endpoint = firstSet(env, "HF_ENDPOINT");
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
        DownloadProgress progress = isTrue(env.get("HF_HUB_DISABLE_PROGRESS_BARS"))
                ? DownloadProgress.silent() : DownloadProgress.console();
        return new HubConfig(URI.create(endpoint != null ? endpoint.trim() : DEFAULT_ENDPOINT), token, cache,
                offline, progress, 5, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    public HubConfig withEndpoint(URI value) {
        return new HubConfig(value, token, cacheDir, offline, progress, maxRetries, retryBackoff, timeout);
    }

    public HubConfig withToken(String value) {
        return new HubConfig(endpoint, value, cacheDir, offline, progress, maxRetries, retryBackoff, timeout);
    }

    public HubConfig withCacheDir(Path value) {
        return new HubConfig(endpoint, token, value, offline, progress, maxRetries, retryBackoff, timeout);
    }

    public HubConfig withOffline(boolean value) {
        return new HubConfig(endpoint, token, cacheDir, value, progress, maxRetries, retryBackoff, timeout);
    }

    public HubConfig withProgress(DownloadProgress value) {
        return new HubConfig(endpoint, token, cacheDir, offline, value, maxRetries, retryBackoff, timeout);
    }

    public HubConfig withRetries(int count, Duration backoff) {
        return new HubConfig(endpoint, token, cacheDir, offline, progress, count, backoff, timeout);
    }

    public HubConfig withTimeout(Duration value) {
        return new HubConfig(endpoint, token, cacheDir, offline, progress, maxRetries, retryBackoff, value);
    }

    /** Hides the token so that a logged configuration does not leak it. */
    @Override
    public String toString() {
        return "HubConfig[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "***") + ", cacheDir="
                + cacheDir + ", offline=" + offline + ", maxRetries=" + maxRetries + "]";
    }

    static boolean isTrue(String value) {
        return value != null && TRUE_VALUES.contains(value.trim().toUpperCase(Locale.ROOT));
    }

    private static String firstSet(Map<String, String> env, String... names) {
        for (String name : names) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** A path from the environment with a leading {@code ~} expanded, as Python's {@code expanduser} does. */
    private static Path path(String value, String home) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.equals("~") || value.startsWith("~/")) {
            return Path.of(home + value.substring(1));
        }
        return Path.of(value);
    }

    private static String readToken(Path file) {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).trim();
            return t.isEmpty() ? null : t;
        } catch (IOException | SecurityException e) {
            return null; // no token file is the common case: anonymous access
        }
    }
}
