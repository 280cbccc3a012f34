package dev.idefics4j.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Downloads model repositories from the Hugging Face Hub into the cache Python's {@code huggingface_hub} uses,
 * and finds them there again without the network when {@code HF_HUB_OFFLINE} is set or the Hub is unreachable.
 *
 * <pre>{@code
 * Path model = HubClient.fromEnvironment().snapshot("HuggingFaceM4/idefics-9b", "main");
 * }</pre>
 */
public final class HubClient {
    /** Hub repo ids: {@code org/name} of letters, digits, {@code -_.}, neither part starting with {@code -.}. */
    static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][\\w.-]{0,95}/[A-Za-z0-9_][\\w.-]{0,95}");
    public static final String DEFAULT_REVISION = "main";

    private final HubConfig config;
    private final HubHttp http;
    private final BlobDownloader downloader;

    public HubClient(HubConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.http = new HubHttp(config);
        this.downloader = new BlobDownloader(http, config);
    }

    /** A client configured by the process environment ({@code HF_ENDPOINT}, {@code HF_TOKEN}, ...). */
    public static HubClient fromEnvironment() {
        return new HubClient(HubConfig.fromEnvironment());
    }

    /** A client configured by {@code env} instead of the process environment. */
    public static HubClient fromEnvironment(Map<String, String> env) {
        return new HubClient(HubConfig.fromEnvironment(env));
    }

    public HubConfig config() {
        return config;
    }

    /** The files an IDEFICS model needs ({@link FileSet#IDEFICS}) at {@code revision} (null: main). */
    public Path snapshot(String repoId, String revision) {
        return snapshot(repoId, revision, FileSet.IDEFICS);
    }

    /** The files matching {@code filePatterns} (fnmatch globs, see {@link FileSet}) at {@code revision}. */
    public Path snapshot(String repoId, String revision, List<String> filePatterns) {
        return snapshot(repoId, revision, FileSet.of(filePatterns));
    }

    /**
     * Makes {@code <cache>/models--org--name/snapshots/<commit>/} hold {@code files} of {@code repoId} at
     * {@code revision} (a branch, tag or commit; null means main) and returns that folder. Files already cached
     * are not downloaded again. Offline, the folder {@code refs/<revision>} points to is returned if it holds what
     * {@code files} requires.
     *
     * @throws HubException with a message saying what to do, when the files can be neither fetched nor found
     */
    public Path snapshot(String repoId, String revision, FileSet files) {
        checkRepoId(repoId);
        String rev = revision == null || revision.isBlank() ? DEFAULT_REVISION : revision;
        RepoCache cache = new RepoCache(config.cacheDir(), repoId);
        if (config.offline()) {
            return cached(cache, repoId, rev, files, null);
        }
        RepoInfo info;
        try {
            info = http.revisionInfo(repoId, rev);
        } catch (HubException e) {
            if (e.kind() == HubException.Kind.NETWORK || e.kind() == HubException.Kind.UNAVAILABLE) {
                return cached(cache, repoId, rev, files, e); // as huggingface_hub: a cached model still loads
            }
            throw e;
        }
        String commit = info.commit();
        cache.writeRef(rev, commit);
        String name = repoId + "@" + rev;

        Map<String, RepoFile> wanted = new LinkedHashMap<>();
        files.select(info, name).forEach(f -> wanted.put(f.path(), f));
        for (RepoFile f : List.copyOf(wanted.values())) {
            fetch(cache, repoId, commit, rev, f);
            if (FileSet.isIndex(f.path())) {
                for (RepoFile shard : shards(cache, info, commit, f.path(), name)) {
                    if (wanted.putIfAbsent(shard.path(), shard) == null) {
                        fetch(cache, repoId, commit, rev, shard);
                    }
                }
            }
        }
        files.absentNames(info).forEach(p -> cache.markAbsent(commit, p));
        return cache.snapshot(commit);
    }

    /** Puts {@code file} in the snapshot: already there, linked from a blob another commit shares, or downloaded. */
    private void fetch(RepoCache cache, String repoId, String commit, String revision, RepoFile file) {
        Path pointer = cache.pointer(commit, file.path());
        if (Files.exists(pointer)) {
            return;
        }
        HubTarget target = new HubTarget(repoId, revision, file.path());
        var url = http.fileUrl(repoId, commit, file.path());
        RepoFile known = file.etag() != null ? file : merge(file, http.head(target, url));
        Path blob = cache.blob(known.etag());
        boolean fresh = !Files.exists(blob);
        if (fresh) {
            downloader.fetch(url, target, known, blob, cache.lockFile(known.etag()));
        }
        cache.link(blob, pointer, fresh);
    }

    /** The listing's size wins when HEAD had none: a Content-Length on a redirect is the redirect's own. */
    private static RepoFile merge(RepoFile listed, RepoFile head) {
        long size = listed.size() >= 0 ? listed.size() : head.size();
        return new RepoFile(listed.path(), size, head.blobId(), head.lfsSha256());
    }

    private static List<RepoFile> shards(RepoCache cache, RepoInfo info, String commit, String index, String name) {
        List<RepoFile> out = new ArrayList<>();
        for (String path : ShardIndex.shardPaths(cache.pointer(commit, index), index)) {
            out.add(info.file(path).orElseThrow(() -> new HubException(HubException.Kind.FILE_NOT_FOUND, index
                    + " of " + name + " names the shard '" + path + "', which the repository does not have.")));
        }
        return out;
    }

    /** The cached snapshot of {@code revision}, when the Hub is not to be (or cannot be) asked. */
    private Path cached(RepoCache cache, String repoId, String revision, FileSet files, HubException cause) {
        String commit = RepoInfo.COMMIT.matcher(revision).matches() ? revision : cache.readRef(revision);
        Path snapshot = commit == null ? null : cache.snapshot(commit);
        String problem = snapshot == null || !Files.isDirectory(snapshot)
                ? repoId + "@" + revision + " is not in the cache " + config.cacheDir() + "."
                : missing(snapshot, files);
        if (problem == null) {
            return snapshot;
        }
        if (cause != null) {
            // The Hub's failure is the real cause; the cache only failed to make up for it.
            throw new HubException(cause.kind(), cause.getMessage() + " Also, " + problem, cause);
        }
        throw new HubException(HubException.Kind.NOT_CACHED, "HF_HUB_OFFLINE is set and " + problem
                + " Download it once with HF_HUB_OFFLINE unset, or pass the path of a local model folder.");
    }

    private static String missing(Path snapshot, FileSet files) {
        List<String> missing = files.missingFrom(snapshot);
        return missing.isEmpty() ? null : "the cached snapshot " + snapshot + " lacks " + missing + ".";
    }

    static void checkRepoId(String repoId) {
        if (repoId == null || !REPO_ID.matcher(repoId).matches() || repoId.contains("--")
                || repoId.contains("..")) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "'" + repoId + "' is not a Hub repo id:"
                    + " expected 'org/name', e.g. 'HuggingFaceM4/idefics-9b'");
        }
    }
}
