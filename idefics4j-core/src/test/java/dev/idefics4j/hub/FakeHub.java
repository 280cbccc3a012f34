package dev.idefics4j.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face Hub on 127.0.0.1 that answers as huggingface.co does: the revision API with blob metadata,
 * {@code /resolve/} with {@code X-Repo-Commit}, {@code ETag} and, for LFS files, a 302 to a storage server on
 * another port carrying {@code X-Linked-Etag}/{@code X-Linked-Size}; {@code X-Error-Code} on errors (401
 * RepoNotFound for a missing repository asked anonymously, 401/403 GatedRepo). Faults can be switched on: cut
 * connections, corrupted LFS content, ranges ignored, listings without blob metadata.
 */
final class FakeHub implements AutoCloseable {
    /** One request as a server saw it. */
    record Request(String server, String method, String path, String authorization, String range) {
    }

    /** A file of a fake repository. */
    record File(String path, byte[] content, boolean lfs) {
        String sha256() {
            return hex("SHA-256", content);
        }

        /** The git blob id: sha1 of {@code "blob <size>\0"} and the content. */
        String gitSha() {
            byte[] header = ("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[header.length + content.length];
            System.arraycopy(header, 0, all, 0, header.length);
            System.arraycopy(content, 0, all, header.length, content.length);
            return hex("SHA-1", all);
        }

        String etag() {
            return lfs ? sha256() : gitSha();
        }
    }

    private record Repo(Map<String, String> refs, Map<String, Map<String, File>> commits, String gateToken) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer hub;
    private final HttpServer storage;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    /** Old repo id to new one: the Hub redirects a renamed repository's URLs with a relative 307. */
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    /** The next {@code cuts} file bodies stop after {@code cutAfter} bytes and the connection drops. */
    final AtomicInteger cuts = new AtomicInteger();
    volatile int cutAfter;
    /** The next {@code stalls} file bodies stop after {@code cutAfter} bytes and the connection stays open, idle. */
    final AtomicInteger stalls = new AtomicInteger();
    /** LFS contents (by sha256) served with one byte changed. */
    final Set<String> corrupted = ConcurrentHashMap.newKeySet();
    volatile boolean ignoreRange;
    volatile boolean blobMetadata = true;

    FakeHub() throws IOException {
        hub = start("hub", this::hub);
        storage = start("storage", this::storage);
    }

    private HttpServer start(String name, Handler handler) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", ex -> {
            requests.add(new Request(name, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                    ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Range")));
            try (ex) {
                handler.handle(ex);
            } catch (IOException e) {
                // a deliberately cut connection
            }
        });
        s.setExecutor(pool);
        s.start();
        return s;
    }

    private interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    int storagePort() {
        return storage.getAddress().getPort();
    }

    /** Adds {@code repoId} with one commit holding {@code files} on branch main; returns that commit. */
    String addRepo(String repoId, List<File> files) {
        return addRepo(repoId, files, null);
    }

    /** As {@link #addRepo(String, List)}, gated: files are served only with {@code Bearer gateToken}. */
    String addRepo(String repoId, List<File> files, String gateToken) {
        Map<String, File> byPath = new LinkedHashMap<>();
        files.forEach(f -> byPath.put(f.path(), f));
        String commit = hex("SHA-1", (repoId + byPath.keySet() + repos.size()).getBytes(StandardCharsets.UTF_8));
        Map<String, Map<String, File>> commits = new HashMap<>();
        commits.put(commit, byPath);
        Map<String, String> refs = new HashMap<>();
        refs.put("main", commit);
        repos.put(repoId, new Repo(refs, commits, gateToken));
        return commit;
    }

    void rename(String from, String to) {
        renamed.put(from, to);
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    List<Request> requests(String server) {
        return requests().stream().filter(r -> r.server().equals(server)).toList();
    }

    /** Requests for file contents (resolve on the Hub, anything on storage), not for the listing. */
    List<Request> fileRequests() {
        return requests().stream().filter(r -> !r.path().startsWith("/api/")).toList();
    }

    void clearRequests() {
        requests.clear();
    }

    private void hub(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String[] parts = path.substring(1).split("/", 6);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        for (Map.Entry<String, String> r : renamed.entrySet()) {
            if (path.startsWith("/" + r.getKey() + "/") || path.startsWith("/api/models/" + r.getKey() + "/")) {
                ex.getResponseHeaders().set("Location", path.replace(r.getKey(), r.getValue()));
                ex.sendResponseHeaders(307, -1);
                return;
            }
        }
        if (path.startsWith("/api/models/") && parts.length == 6 && parts[4].equals("revision")) {
            Repo repo = repos.get(parts[2] + "/" + parts[3]);
            if (repo == null) {
                repoNotFound(ex, auth);
                return;
            }
            String commit = commitOf(repo, decode(parts[5]));
            if (commit == null) {
                error(ex, 404, "RevisionNotFound", "Invalid rev id: " + decode(parts[5]));
                return;
            }
            boolean blobs = blobMetadata && "blobs=true".equals(ex.getRequestURI().getRawQuery());
            json(ex, info(parts[2] + "/" + parts[3], commit, repo.commits().get(commit), blobs));
            return;
        }
        if (parts.length == 5 || (parts.length == 6 && parts[2].equals("resolve"))) {
            resolve(ex, parts, auth);
            return;
        }
        error(ex, 404, null, "Not found");
    }

    /** {@code /{org}/{name}/resolve/{rev}/{path}}. */
    private void resolve(HttpExchange ex, String[] parts, String auth) throws IOException {
        String rawFile = parts.length == 6 ? parts[4] + "/" + parts[5] : parts[4];
        Repo repo = repos.get(parts[0] + "/" + parts[1]);
        if (repo == null || !parts[2].equals("resolve")) {
            repoNotFound(ex, auth);
            return;
        }
        if (repo.gateToken() != null && !("Bearer " + repo.gateToken()).equals(auth)) {
            error(ex, auth == null ? 401 : 403, "GatedRepo", "Access to model " + parts[0] + "/" + parts[1]
                    + " is restricted. You must have access to it and be authenticated to access it. Please log in.");
            return;
        }
        String rev = decode(parts[3]);
        String commit = commitOf(repo, rev);
        if (commit == null) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
            return;
        }
        File file = repo.commits().get(commit).get(decode(rawFile));
        ex.getResponseHeaders().set("X-Repo-Commit", commit);
        if (file == null) {
            error(ex, 404, "EntryNotFound", "Entry not found");
            return;
        }
        if (file.lfs()) {
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + file.sha256() + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", Long.toString(file.content().length));
            ex.getResponseHeaders().set("ETag", "\"" + file.gitSha().substring(0, 20) + "pointer\"");
            ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + storagePort() + "/repos/ab/cd/"
                    + file.sha256() + "?X-Amz-Signature=fake");
            ex.sendResponseHeaders(302, -1);
            return;
        }
        ex.getResponseHeaders().set("ETag", "\"" + file.gitSha() + "\"");
        body(ex, file.content());
    }

    /** The LFS storage: {@code /repos/xx/yy/<sha256>}, no authentication, ranges honoured. */
    private void storage(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String sha = path.substring(path.lastIndexOf('/') + 1);
        File file = repos.values().stream().flatMap(r -> r.commits().values().stream())
                .flatMap(m -> m.values().stream()).filter(f -> f.lfs() && f.sha256().equals(sha)).findFirst()
                .orElse(null);
        if (file == null) {
            error(ex, 404, null, "NoSuchKey");
            return;
        }
        byte[] content = file.content().clone();
        if (corrupted.contains(sha) && content.length > 0) {
            content[content.length / 2] ^= 0x5a;
        }
        body(ex, content);
    }

    /** Sends {@code content}, or the part a {@code Range: bytes=N-} asks for, cutting it when a fault is armed. */
    private void body(HttpExchange ex, byte[] content) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null && !ignoreRange) {
            from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-.*", "$1"));
            if (from >= content.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Range",
                    "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        int length = content.length - from;
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(from > 0 ? 206 : 200, length == 0 ? -1 : length);
        OutputStream out = ex.getResponseBody();
        boolean cut = cuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        boolean stall = !cut && stalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        if (cut || stall) {
            out.write(content, from, Math.min(cutAfter, length));
            out.flush();
            if (stall) {
                idle();
            }
            throw new IOException("cut"); // closing short of Content-Length drops the connection
        }
        out.write(content, from, length);
    }

    /** Holds the connection open and silent until the client gives up or the fake shuts down. */
    private static void idle() {
        try {
            Thread.sleep(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String commitOf(Repo repo, String rev) {
        return repo.commits().containsKey(rev) ? rev : repo.refs().get(rev);
    }

    private static ObjectNode info(String repoId, String commit, Map<String, File> files, boolean blobs) {
        ObjectNode root = JSON.createObjectNode().put("_id", "0123").put("id", repoId).put("modelId", repoId)
                .put("sha", commit).put("private", false);
        ArrayNode siblings = root.putArray("siblings");
        for (File f : files.values()) {
            ObjectNode s = siblings.addObject().put("rfilename", f.path());
            if (blobs) {
                s.put("blobId", f.gitSha()).put("size", f.content().length);
                if (f.lfs()) {
                    s.putObject("lfs").put("sha256", f.sha256()).put("size", f.content().length)
                            .put("pointerSize", 134);
                }
            }
        }
        return root;
    }

    /** Missing and private repositories look alike: 401 to anonymous callers, 404 to authenticated ones. */
    private static void repoNotFound(HttpExchange ex, String auth) throws IOException {
        error(ex, auth == null ? 401 : 404, "RepoNotFound", "Repository not found");
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
        ex.getResponseHeaders().set("X-Error-Message", message);
        ex.getResponseHeaders().set("X-Request-Id", "Root=1-fake");
        json(ex, status, JSON.createObjectNode().put("error", message));
    }

    private static void json(HttpExchange ex, ObjectNode body) throws IOException {
        json(ex, 200, body);
    }

    private static void json(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    static String hex(String algorithm, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        storage.stop(0);
        pool.shutdownNow();
    }
}
