package dev.idefics4j.hub;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.idefics4j.hub.HubTesting.REPO;
import static dev.idefics4j.hub.HubTesting.SHARD1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broken connections: the download continues where it stopped, with a Range request the server must honour. */
class ResumeDownloadTest extends FakeHubTest {
    private static final int CUT = 100_000;
    /** The one file fetched, so that the first file request is the one cut. */
    private static final FileSet ONLY_SHARD = FileSet.of(SHARD1);

    FakeHub.File shard;

    @BeforeEach
    void pickShard() {
        shard = file(SHARD1);
    }

    @Test
    void theNextCallResumesACutDownloadWithARangeRequest() throws IOException {
        HubClient once = new HubClient(HubTesting.config(hub, home).withRetries(0, Duration.ZERO));
        Path blob = blobs().resolve(shard.sha256());
        Path partial = blob.resolveSibling(shard.sha256() + ".incomplete");
        Path pointer = snapshotDir().resolve(SHARD1);
        cutNextFileRequest();

        HubException e = TestAsserts.fails(HubException.Kind.NETWORK,
                () -> once.snapshot(REPO, "main", ONLY_SHARD));

        assertTrue(e.getMessage().contains("Run again to resume"), e.getMessage());
        // Everything that arrived before the cut is kept (a loaded machine can lose the last segments in flight
        // when the connection is reset, so it may be less than what the server wrote).
        long kept = Files.size(partial);
        assertTrue(kept > 0 && kept <= CUT, "what arrived is kept: " + kept);
        assertFalse(Files.exists(blob) || Files.exists(pointer, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "a partial file never shows in blobs/ or the snapshot");
        hub.clearRequests();

        Path snapshot = once.snapshot(REPO, "main", ONLY_SHARD);

        List<FakeHub.Request> shardRequests = storageRequests(shard);
        assertEquals(1, shardRequests.size());
        assertEquals("bytes=" + kept + "-", shardRequests.getFirst().range(), "resumes where the partial file ends");
        assertArrayEquals(shard.content(), Files.readAllBytes(snapshot.resolve(SHARD1)));
        assertFalse(Files.exists(partial));
        assertArrayEquals(shard.content(), Files.readAllBytes(once.snapshot(REPO, "main").resolve(SHARD1)),
                "the full IDEFICS snapshot reuses the blob");
    }

    @Test
    void oneCallRetriesACutConnectionFromWhereItStopped() throws IOException {
        HubClient client = HubTesting.client(hub, home);
        cutNextFileRequest();

        Path snapshot = client.snapshot(REPO, "main", ONLY_SHARD);

        List<FakeHub.Request> shardRequests = storageRequests(shard);
        assertEquals(2, shardRequests.size());
        assertNull(shardRequests.get(0).range());
        assertResumedWithinCut(shardRequests.get(1).range());
        assertArrayEquals(shard.content(), Files.readAllBytes(snapshot.resolve(SHARD1)));
    }

    @Test
    void aServerIgnoringTheRangeSendsTheWholeFileAgain() throws IOException {
        HubClient client = HubTesting.client(hub, home);
        cutNextFileRequest();
        hub.ignoreRange = true;

        Path snapshot = client.snapshot(REPO, "main", ONLY_SHARD);

        assertResumedWithinCut(storageRequests(shard).get(1).range());
        assertArrayEquals(shard.content(), Files.readAllBytes(snapshot.resolve(SHARD1)),
                "a 200 answer replaced the partial data instead of being appended to it");
    }

    @Test
    void aStalledConnectionIsAbandonedAndResumed() throws IOException {
        HubClient client = new HubClient(HubTesting.config(hub, home).withTimeout(Duration.ofSeconds(1)));
        hub.cutAfter = CUT;
        hub.stalls.set(1);

        Path snapshot = client.snapshot(REPO, "main", ONLY_SHARD);

        assertEquals("bytes=" + CUT + "-", storageRequests(shard).get(1).range());
        assertArrayEquals(shard.content(), Files.readAllBytes(snapshot.resolve(SHARD1)));
    }

    /** A resume asks for the rest from what arrived before the cut (at most {@link #CUT} bytes, see above). */
    private static void assertResumedWithinCut(String range) {
        assertTrue(range != null && range.matches("bytes=\\d+-"), "a Range request: " + range);
        long from = Long.parseLong(range.substring(6, range.length() - 1));
        assertTrue(from > 0 && from <= CUT, range);
    }

    /** Arms the fake to drop the next file body after {@link #CUT} bytes. */
    private void cutNextFileRequest() {
        hub.cutAfter = CUT;
        hub.cuts.set(1);
    }

    private List<FakeHub.Request> storageRequests(FakeHub.File f) {
        return hub.requests("storage").stream().filter(r -> r.path().endsWith(f.sha256())).toList();
    }
}
