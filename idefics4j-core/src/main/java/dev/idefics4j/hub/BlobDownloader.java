package dev.idefics4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches one blob into the cache so that it appears whole or not at all: bytes go to {@code <blob>.incomplete},
 * which survives a broken connection and is continued with a {@code Range} request (within this call, up to
 * {@link HubConfig#maxRetries()} times, and by the next call); the result is checked against the size and, for LFS
 * files, the sha256 the Hub lists, and only then renamed to {@code blobs/<etag>}.
 */
final class BlobDownloader {
    private static final int CHUNK = 1 << 20;
    private static final Pattern CONTENT_RANGE_START = Pattern.compile("bytes (\\d+)-");

    private final HubHttp http;
    private final HubConfig config;

    BlobDownloader(HubHttp http, HubConfig config) {
        this.http = http;
        this.config = config;
    }

    /** Downloads {@code url} into {@code blob} unless another process did meanwhile. */
    void fetch(URI url, HubTarget target, RepoFile file, Path blob, Path lockFile) {
        Path partPath = blob.resolveSibling(blob.getFileName() + ".incomplete");
        try (BlobLock ignored = BlobLock.acquire(lockFile)) {
            if (Files.exists(blob)) {
                return;
            }
            Files.createDirectories(blob.getParent());
            try (Part part = new Part(partPath, file.lfsSha256() != null)) {
                transfer(url, target, file, part);
                verify(part, file, target);
            }
            RepoCache.move(partPath, blob);
        } catch (IOException e) {
            throw RepoCache.io("write " + partPath, e);
        }
    }

    /** Fills {@code part} from the server, resuming after broken connections. */
    private void transfer(URI url, HubTarget target, RepoFile file, Part part) throws IOException {
        long expected = file.size();
        int failures = 0;
        try {
            while (true) {
                long have = part.size();
                if (expected >= 0 && have > expected) {
                    part.restart(); // longer than the file can be: not a prefix of it
                    have = 0;
                }
                if (expected >= 0 && have == expected) {
                    return;
                }
                try {
                    download(url, target, part, have, expected);
                    if (expected < 0 || part.size() == expected) {
                        return;
                    }
                    throw new IOException("the connection closed after " + part.size() + " of " + expected + " bytes");
                } catch (IOException | HubException e) {
                    if (e instanceof HubException h && h.kind() != HubException.Kind.NETWORK
                            && h.kind() != HubException.Kind.UNAVAILABLE) {
                        throw h;
                    }
                    if (++failures > config.maxRetries()) {
                        throw stopped(target, part.size(), expected, e);
                    }
                    pause(failures);
                }
            }
        } finally {
            config.progress().finish(target.file(), part.size(), expected);
        }
    }

    /** One request: appends what the server sends from byte {@code have} on; IOException when the stream broke. */
    private void download(URI url, HubTarget target, Part part, long have, long expected) throws IOException {
        HttpResponse<InputStream> r = http.download(url, have, target);
        try (InputStream in = r.body()) {
            long start = startOf(r, have);
            if (start < 0) {
                part.restart(); // the server garbled the range: the partial data cannot be continued
                throw new IOException("HTTP " + r.statusCode() + " does not continue at byte " + have);
            }
            if (start == 0 && have > 0) {
                part.restart(); // a plain 200 despite the Range header: the whole file comes again
            }
            long total = expected >= 0 ? expected
                    : r.headers().firstValueAsLong("Content-Length").stream().map(n -> n + start).findFirst()
                            .orElse(-1L);
            byte[] buf = new byte[CHUNK];
            config.progress().update(target.file(), part.size(), total);
            try (StallGuard guard = new StallGuard(in, config.timeout())) {
                for (int n; (n = guard.read(buf)) >= 0; ) {
                    part.append(buf, n);
                    config.progress().update(target.file(), part.size(), total);
                }
            }
        }
    }

    /**
     * Where the body starts: 0 for a 200, {@code have} for a 206 whose {@code Content-Range} continues there, -1
     * for anything else (a 416, or a 206 for other bytes).
     */
    private static long startOf(HttpResponse<InputStream> r, long have) {
        if (r.statusCode() == 200) {
            return 0;
        }
        if (r.statusCode() == 206) {
            Matcher m = CONTENT_RANGE_START.matcher(r.headers().firstValue("Content-Range").orElse(""));
            return m.lookingAt() && Long.parseLong(m.group(1)) == have ? have : -1;
        }
        return -1;
    }

    private static void verify(Part part, RepoFile file, HubTarget target) throws IOException {
        String problem = null;
        if (file.size() >= 0 && part.size() != file.size()) {
            problem = "has " + part.size() + " bytes but the Hub lists " + file.size();
        } else if (file.lfsSha256() != null) {
            String actual = part.sha256();
            if (!actual.equals(file.lfsSha256().toLowerCase(Locale.ROOT))) {
                problem = "has sha256 " + actual + " but the Hub lists " + file.lfsSha256();
            }
        }
        if (problem != null) {
            part.delete();
            throw new HubException(HubException.Kind.CHECKSUM, "The download of " + target.describe() + " "
                    + problem + ". It was corrupted on the way and has been deleted; run again to download it anew.");
        }
    }

    private static HubException stopped(HubTarget target, long have, long expected, Exception cause) {
        return new HubException(HubException.Kind.NETWORK, "The download of " + target.describe() + " stopped after "
                + have + (expected >= 0 ? " of " + expected : "") + " bytes (" + cause.getMessage() + "). Run again"
                + " to resume: the partial file is kept in the cache.", cause);
    }

    private void pause(int failures) {
        long millis = config.retryBackoff().toMillis() << Math.min(failures - 1, 5);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.OTHER, "Interrupted while waiting to resume a download", e);
        }
    }

    /**
     * The {@code .incomplete} file and, for LFS files, the running sha256 of its bytes, kept in step with every
     * append so that a resumed download is hashed once, not re-read.
     */
    private static final class Part implements AutoCloseable {
        private final Path path;
        private final FileChannel channel;
        private final MessageDigest sha;

        Part(Path path, boolean hashed) throws IOException {
            this.path = path;
            this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            this.sha = hashed ? newSha256() : null;
            hashExisting();
        }

        long size() throws IOException {
            return channel.size();
        }

        void restart() throws IOException {
            channel.truncate(0);
            if (sha != null) {
                sha.reset();
            }
        }

        /** Network failures surface as IOException from the caller's read; a failing disk is not retried. */
        void append(byte[] buf, int n) {
            try {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                long pos = channel.size();
                while (bb.hasRemaining()) {
                    pos += channel.write(bb, pos);
                }
            } catch (IOException e) {
                throw RepoCache.io("write " + path, e);
            }
            if (sha != null) {
                sha.update(buf, 0, n);
            }
        }

        String sha256() {
            return HexFormat.of().formatHex(sha.digest());
        }

        void delete() throws IOException {
            channel.close();
            Files.deleteIfExists(path);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        /** The prefix an earlier call left behind. */
        private void hashExisting() throws IOException {
            if (sha == null) {
                return;
            }
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            long pos = 0;
            for (int n; (n = channel.read(buf.clear(), pos)) > 0; pos += n) {
                sha.update(buf.flip());
            }
        }

        private static MessageDigest newSha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
    }
}
