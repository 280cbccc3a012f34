package dev.idefics4j.hub;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static dev.idefics4j.hub.HubTesting.REPO;
import static dev.idefics4j.hub.HubTesting.SHARD2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LFS content is checked against the sha256 the Hub lists before it enters the cache. */
class ChecksumTest extends FakeHubTest {
    FakeHub.File shard;

    @BeforeEach
    void pickShard() {
        shard = file(SHARD2);
    }

    @Test
    void aCorruptedFileIsRefusedAndLeavesNothingBehind() throws IOException {
        hub.corrupted.add(shard.sha256());
        HubClient client = HubTesting.client(hub, home);

        HubException e = TestAsserts.fails(HubException.Kind.CHECKSUM, () -> client.snapshot(REPO, "main"));

        assertTrue(e.getMessage().contains(SHARD2) && e.getMessage().contains(shard.sha256()), e.getMessage());
        assertFalse(Files.exists(blobs().resolve(shard.sha256())));
        assertFalse(Files.exists(blobs().resolve(shard.sha256() + ".incomplete")));
        assertFalse(Files.exists(snapshotDir().resolve(SHARD2), LinkOption.NOFOLLOW_LINKS));

        hub.corrupted.clear();
        Path snapshot = client.snapshot(REPO, "main");

        assertArrayEquals(shard.content(), Files.readAllBytes(snapshot.resolve(SHARD2)), "a later call recovers");
    }
}
