package dev.idefics4j.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One model repository's folder in the hub cache, laid out exactly as huggingface_hub lays it out so that Python
 * tools and idefics4j share downloads:
 * <pre>
 * models--org--name/
 *   blobs/&lt;etag&gt;                      file contents, named by sha256 (LFS) or git blob id
 *   snapshots/&lt;commit&gt;/&lt;path&gt;          relative symlinks into blobs/
 *   refs/&lt;revision&gt;                   the commit a branch or tag pointed to when last resolved
 *   .no_exist/&lt;commit&gt;/&lt;path&gt;          empty markers for files known to be absent at that commit
 * </pre>
 * Locks live beside, in {@code <cache>/.locks/models--org--name/<etag>.lock}, also as huggingface_hub has them.
 */
final class RepoCache {
    private static final Pattern ETAG = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final Path cacheDir;
    private final Path root;
    private final boolean symlinks;

    RepoCache(Path cacheDir, String repoId) {
        this(cacheDir, repoId, true);
    }

    /** @param symlinks false to behave as on file systems without symlinks (copies instead of links) */
    RepoCache(Path cacheDir, String repoId, boolean symlinks) {
        this.cacheDir = cacheDir;
        this.root = cacheDir.resolve(folderName(repoId));
        this.symlinks = symlinks;
    }

    /** {@code models--org--name}: the repo id with each {@code /} turned into {@code --}. */
    static String folderName(String repoId) {
        return "models--" + repoId.replace("/", "--");
    }

    Path root() {
        return root;
    }

    Path blob(String etag) {
        if (!ETAG.matcher(etag).matches()) {
            throw new HubException(HubException.Kind.OTHER, "The Hub sent an unusable ETag '" + etag + "'");
        }
        return root.resolve("blobs").resolve(etag);
    }

    Path lockFile(String etag) {
        return cacheDir.resolve(".locks").resolve(root.getFileName()).resolve(blob(etag).getFileName() + ".lock");
    }

    Path snapshot(String commit) {
        if (!RepoInfo.COMMIT.matcher(commit).matches()) {
            throw new IllegalArgumentException("not a commit hash: " + commit);
        }
        return root.resolve("snapshots").resolve(commit);
    }

    /** Where {@code repoPath} appears in the snapshot of {@code commit}. */
    Path pointer(String commit, String repoPath) {
        return snapshot(commit).resolve(safeRelative(repoPath, "file"));
    }

    /** The commit {@code refs/<revision>} names, or null when the revision was never resolved here. */
    String readRef(String revision) {
        Path ref = root.resolve("refs").resolve(safeRelative(revision, "revision"));
        try {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
            return RepoInfo.COMMIT.matcher(commit).matches() ? commit : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw io("read " + ref, e);
        }
    }

    /** Records that {@code revision} points to {@code commit}; rewritten only when it changed. */
    void writeRef(String revision, String commit) {
        if (revision.equals(commit) || commit.equals(readRef(revision))) {
            return;
        }
        Path ref = root.resolve("refs").resolve(safeRelative(revision, "revision"));
        try {
            Files.createDirectories(ref.getParent());
            // No trailing newline: huggingface_hub reads the file verbatim as the commit hash.
            Path tmp = ref.resolveSibling(ref.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            move(tmp, ref);
        } catch (IOException e) {
            throw io("write " + ref, e);
        }
    }

    /** Marks {@code repoPath} as absent at {@code commit}, as huggingface_hub does after a 404. */
    void markAbsent(String commit, String repoPath) {
        Path marker = root.resolve(".no_exist").resolve(commit).resolve(safeRelative(repoPath, "file"));
        try {
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
        } catch (FileAlreadyExistsException e) {
            // another process marked it first
        } catch (IOException e) {
            throw io("write " + marker, e);
        }
    }

    /**
     * Makes {@code pointer} show the complete blob: a relative symlink, or where symlinks are refused, the blob
     * itself (moved if it was just downloaded and so referenced nowhere else, else copied), as huggingface_hub does.
     */
    void link(Path blob, Path pointer, boolean newBlob) {
        try {
            Files.createDirectories(pointer.getParent());
            if (Files.isSymbolicLink(pointer) && !Files.exists(pointer)) {
                Files.deleteIfExists(pointer); // dangling: its blob was deleted from the cache
            }
            if (symlinks) {
                try {
                    Files.createSymbolicLink(pointer, pointer.getParent().relativize(blob));
                    return;
                } catch (FileAlreadyExistsException e) {
                    if (Files.exists(pointer)) {
                        return; // linked concurrently by another process
                    }
                    throw e;
                } catch (UnsupportedOperationException | FileSystemException e) {
                    // fall through to a real file, as on Windows without developer mode
                }
            }
            if (newBlob) {
                move(blob, pointer);
            } else {
                // Copy beside the blob first so that the snapshot never shows a partial file.
                Path tmp = blob.resolveSibling(blob.getFileName() + "." + UUID.randomUUID() + ".tmp");
                Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
                move(tmp, pointer);
            }
        } catch (IOException e) {
            throw io("link " + pointer + " to " + blob, e);
        }
    }

    /** An atomic rename where the file system allows it, so that readers see all of a file or none. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static HubException io(String what, IOException e) {
        return new HubException(HubException.Kind.OTHER, "Cannot " + what + ": " + e
                + " (set HF_HUB_CACHE or HF_HOME to a writable folder with enough space)", e);
    }

    /** Refuses names that would escape the repository folder: the Hub listing and the caller are both input. */
    private static String safeRelative(String name, String what) {
        List<String> parts = List.of(name.split("/", -1));
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || parts.contains("..")
                || parts.contains("") || parts.contains(".")) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "Invalid " + what + " name '" + name + "'");
        }
        return name;
    }
}
