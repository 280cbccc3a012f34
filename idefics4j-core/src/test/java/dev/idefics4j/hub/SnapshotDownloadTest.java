package dev.idefics4j.hub;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.idefics4j.hub.HubTesting.REPO;
import static dev.idefics4j.hub.HubTesting.SHARD1;
import static dev.idefics4j.hub.HubTesting.WANTED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotDownloadTest extends FakeHubTest {
    @Test
    void downloadsTheIdeficsFilesInHuggingfaceHubLayout() throws IOException {
        Path snapshot = HubTesting.client(hub, home).snapshot(REPO, "main");

        Path repo = HubTesting.repoFolder(home);
        assertEquals(snapshotDir(), snapshot);
        assertEquals(commit, Files.readString(repo.resolve("refs/main")), "refs/main holds the bare commit hash");
        for (String name : WANTED) {
            FakeHub.File f = file(name);
            Path pointer = snapshot.resolve(name);
            assertTrue(Files.isSymbolicLink(pointer), name);
            assertEquals(Path.of("../../blobs/" + f.etag()), Files.readSymbolicLink(pointer), name);
            assertArrayEquals(f.content(), Files.readAllBytes(pointer), name);
        }
        Set<String> expectedBlobs = WANTED.stream().map(n -> file(n).etag())
                .collect(Collectors.toSet());
        assertEquals(expectedBlobs, list(blobs()), "one blob per file, no leftovers");
        assertEquals(Set.copyOf(WANTED), list(snapshot), "no README, no pytorch_model.bin");
        assertTrue(Files.exists(repo.resolve(".no_exist").resolve(commit).resolve("preprocessor_config.json")),
                "optional files the repo lacks are marked as huggingface_hub marks them");
        assertTrue(hub.requests("storage").stream().anyMatch(r -> r.path().endsWith(
                file(SHARD1).sha256())), "LFS files came through the redirect to storage");
    }

    @Test
    void aSecondCallDownloadsNothing() {
        Path first = HubTesting.client(hub, home).snapshot(REPO, "main");
        hub.clearRequests();

        Path second = HubTesting.client(hub, home).snapshot(REPO, null);

        assertEquals(first, second);
        assertEquals(List.of(), hub.fileRequests(), "every file came from the cache");
        assertEquals(1, hub.requests().size(), "only the revision lookup, to see whether main moved");
    }

    @Test
    void aListingWithoutBlobMetadataFallsBackToHeadRequests() throws IOException {
        hub.blobMetadata = false;

        Path snapshot = HubTesting.client(hub, home).snapshot(REPO, "main");

        for (String name : WANTED) {
            FakeHub.File f = file(name);
            assertEquals(Path.of("../../blobs/" + f.etag()), Files.readSymbolicLink(snapshot.resolve(name)), name);
        }
        assertTrue(hub.requests("hub").stream().anyMatch(r -> r.method().equals("HEAD")));
    }

    @Test
    void filePatternsSelectOtherFiles() throws IOException {
        Path snapshot = HubTesting.client(hub, home).snapshot(REPO, "main", List.of("*.md", "config.json"));

        assertEquals(Set.of("README.md", "config.json"), list(snapshot));
    }

    @Test
    void aCommitHashNeedsNoRef() {
        Path snapshot = HubTesting.client(hub, home).snapshot(REPO, commit);

        assertEquals(snapshotDir(), snapshot);
        assertFalse(Files.exists(HubTesting.repoFolder(home).resolve("refs").resolve(commit)));
    }

    @Test
    void offlineIsServedFromTheCacheWithoutRequests() {
        Path online = HubTesting.client(hub, home).snapshot(REPO, "main");
        hub.clearRequests();

        Path offline = new HubClient(HubTesting.config(hub, home).withOffline(true)).snapshot(REPO, "main");

        assertEquals(online, offline);
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void offlineNamesWhatTheCachedSnapshotLacks() throws IOException {
        Path snapshot = HubTesting.client(hub, home).snapshot(REPO, "main");
        Files.delete(snapshot.resolve(SHARD1));

        HubException e = TestAsserts.fails(HubException.Kind.NOT_CACHED,
                () -> new HubClient(HubTesting.config(hub, home).withOffline(true)).snapshot(REPO, "main"));

        assertTrue(e.getMessage().contains(SHARD1), e.getMessage());
    }

    @Test
    void offlineWithAnEmptyCacheSaysSoWithoutRequests() {
        HubClient offline = HubClient.fromEnvironment(java.util.Map.of("HF_HOME", home.toString(),
                "HF_ENDPOINT", hub.endpoint().toString(), "HF_HUB_OFFLINE", "1"));

        HubException e = TestAsserts.fails(HubException.Kind.NOT_CACHED, () -> offline.snapshot(REPO, "main"));

        assertTrue(e.getMessage().contains("HF_HUB_OFFLINE") && e.getMessage().contains(REPO), e.getMessage());
        assertEquals(List.of(), hub.requests());
    }

    static Set<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
