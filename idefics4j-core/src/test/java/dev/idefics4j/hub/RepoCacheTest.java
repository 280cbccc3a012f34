package dev.idefics4j.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepoCacheTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path cacheDir;

    @Test
    void theFolderIsNamedAsHuggingfaceHubNamesIt() {
        assertEquals(cacheDir.resolve("models--HuggingFaceM4--idefics-9b"),
                new RepoCache(cacheDir, "HuggingFaceM4/idefics-9b").root());
    }

    @Test
    void nestedFilesLinkRelativelyToTheirBlob() throws IOException {
        RepoCache cache = new RepoCache(cacheDir, "org/m");
        Path blob = blob(cache, "abc");
        Path pointer = cache.pointer(COMMIT, "sub/dir/f.json");

        cache.link(blob, pointer, true);

        assertEquals(Path.of("../../../../blobs/abc"), Files.readSymbolicLink(pointer));
        assertEquals("content", Files.readString(pointer));
    }

    @Test
    void aDanglingLinkIsReplaced() throws IOException {
        RepoCache cache = new RepoCache(cacheDir, "org/m");
        Path pointer = cache.pointer(COMMIT, "f.json");
        Files.createDirectories(pointer.getParent());
        Files.createSymbolicLink(pointer, Path.of("../../blobs/deleted"));

        cache.link(blob(cache, "abc"), pointer, true);

        assertEquals("content", Files.readString(pointer));
    }

    @Test
    void withoutSymlinksANewBlobMovesAndASharedOneIsCopied() throws IOException {
        RepoCache cache = new RepoCache(cacheDir, "org/m", false);
        Path fresh = blob(cache, "new");
        Path shared = blob(cache, "old");

        cache.link(fresh, cache.pointer(COMMIT, "a.json"), true);
        cache.link(shared, cache.pointer(COMMIT, "b.json"), false);

        assertFalse(Files.isSymbolicLink(cache.pointer(COMMIT, "a.json")));
        assertEquals("content", Files.readString(cache.pointer(COMMIT, "a.json")));
        assertFalse(Files.exists(fresh), "moved, as huggingface_hub does for a blob nothing else uses");
        assertEquals("content", Files.readString(cache.pointer(COMMIT, "b.json")));
        assertTrue(Files.exists(shared), "kept for the snapshots that share it");
    }

    @Test
    void refsHoldTheBareCommitAndNestedRevisionsWork() throws IOException {
        RepoCache cache = new RepoCache(cacheDir, "org/m");

        cache.writeRef("refs/pr/1", COMMIT);

        assertEquals(COMMIT, Files.readString(cache.root().resolve("refs/refs/pr/1")));
        assertEquals(COMMIT, cache.readRef("refs/pr/1"));
        assertNull(cache.readRef("main"));
    }

    @Test
    void namesThatEscapeTheRepoFolderAreRefused() {
        RepoCache cache = new RepoCache(cacheDir, "org/m");

        for (String bad : new String[] {"../x", "/etc/passwd", "a/../../b", "a//b", "a\\b"}) {
            TestAsserts.fails(HubException.Kind.INVALID_ARGUMENT, () -> cache.pointer(COMMIT, bad));
        }
        TestAsserts.fails(HubException.Kind.INVALID_ARGUMENT, () -> cache.writeRef("../../x", COMMIT));
        TestAsserts.fails(HubException.Kind.OTHER, () -> cache.blob("../x"));
    }

    private static Path blob(RepoCache cache, String etag) throws IOException {
        Path blob = cache.blob(etag);
        Files.createDirectories(blob.getParent());
        return Files.writeString(blob, "content");
    }
}
