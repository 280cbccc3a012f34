package dev.idefics4j.hub;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.idefics4j.hub.HubTesting.REPO;
import static dev.idefics4j.hub.HubTesting.SHARD1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens, gated repositories, redirects, and what the user is told when access fails. */
class AccessTest extends FakeHubTest {
    private static final String GATED = "meta-llama/gated-idefics";
    private static final String TOKEN = "hf_secret";

    @BeforeEach
    void addGatedRepo() {
        hub.addRepo(GATED, HubTesting.ideficsRepo(), TOKEN);
    }

    @Test
    void aGatedRepoWithoutATokenAsksForHfToken() {
        HubException e = TestAsserts.fails(HubException.Kind.AUTH_REQUIRED,
                () -> HubTesting.client(hub, home).snapshot(GATED, "main"));

        assertTrue(e.getMessage().contains("HF_TOKEN") && e.getMessage().contains(GATED), e.getMessage());
    }

    @Test
    void aTokenWithoutAccessIsToldSo() {
        HubClient client = new HubClient(HubTesting.config(hub, home).withToken("hf_other"));

        HubException e = TestAsserts.fails(HubException.Kind.ACCESS_DENIED, () -> client.snapshot(GATED, "main"));

        assertTrue(e.getMessage().contains("request access"), e.getMessage());
    }

    @Test
    void theTokenOpensAGatedRepoAndStaysWithTheHub() throws IOException {
        HubClient client = new HubClient(HubTesting.config(hub, home).withToken(TOKEN));

        Path snapshot = client.snapshot(GATED, "main");

        assertArrayEquals(file(SHARD1).content(), Files.readAllBytes(snapshot.resolve(SHARD1)));
        assertFalse(hub.requests("hub").isEmpty());
        hub.requests("hub").forEach(r -> assertEquals("Bearer " + TOKEN, r.authorization(), r.path()));
        assertFalse(hub.requests("storage").isEmpty(), "LFS files were fetched from the storage server");
        hub.requests("storage").forEach(r -> assertNull(r.authorization(), "token leaked to " + r.path()));
    }

    @Test
    void theTokenIsReadFromTheTokenFileInHfHome() throws IOException {
        Files.writeString(home.resolve("token"), TOKEN + "\n");
        HubClient client = HubClient.fromEnvironment(Map.of("HF_HOME", home.toString(), "HF_ENDPOINT",
                hub.endpoint().toString(), "HF_HUB_DISABLE_PROGRESS_BARS", "1"));

        client.snapshot(GATED, "main");

        assertEquals("Bearer " + TOKEN, hub.requests("hub").getLast().authorization());
    }

    @Test
    void aMissingRepoIsNamedWithAHintForPrivateOnes() {
        HubException e = TestAsserts.fails(HubException.Kind.REPO_NOT_FOUND,
                () -> HubTesting.client(hub, home).snapshot("nobody/nothing", "main"));

        assertTrue(e.getMessage().contains("'nobody/nothing' not found") && e.getMessage().contains("HF_TOKEN"),
                e.getMessage());
        assertTrue(e.getMessage().contains("request id Root=1-fake"), "the Hub's request id helps its support");
    }

    @Test
    void aMissingRevisionIsNamed() {
        HubException e = TestAsserts.fails(HubException.Kind.REVISION_NOT_FOUND,
                () -> HubTesting.client(hub, home).snapshot(REPO, "v9.9"));

        assertTrue(e.getMessage().contains("'v9.9'"), e.getMessage());
    }

    @Test
    void aRepoWithoutSafetensorsWeightsSaysWhatToDo() {
        hub.addRepo("org/pickled", List.of(HubTesting.text("config.json", "{}"),
                HubTesting.lfs("pytorch_model.bin", 1000, 4)));

        HubException e = TestAsserts.fails(HubException.Kind.FILE_NOT_FOUND,
                () -> HubTesting.client(hub, home).snapshot("org/pickled", "main"));

        assertTrue(e.getMessage().contains("pytorch_model.bin") && e.getMessage().contains("safetensors"),
                e.getMessage());
        assertEquals(List.of(), hub.fileRequests(), "nothing was downloaded");
    }

    @Test
    void anIndexNamingAMissingShardIsRefused() {
        hub.addRepo("org/broken", List.of(HubTesting.text("config.json", "{}"),
                HubTesting.text("model.safetensors.index.json", "{\"weight_map\": {\"w\": \"gone.safetensors\"}}")));

        HubException e = TestAsserts.fails(HubException.Kind.FILE_NOT_FOUND,
                () -> HubTesting.client(hub, home).snapshot("org/broken", "main"));

        assertTrue(e.getMessage().contains("gone.safetensors"), e.getMessage());
    }

    @Test
    void aFileNameEscapingTheSnapshotIsRefusedBeforeAnyRequest() {
        hub.addRepo("org/evil", List.of(HubTesting.text("../../../../evil.json", "{}")));

        TestAsserts.fails(HubException.Kind.INVALID_ARGUMENT,
                () -> HubTesting.client(hub, home).snapshot("org/evil", "main", List.of("*")));

        assertEquals(List.of(), hub.fileRequests());
    }

    @Test
    void aRenamedRepoIsFollowedThroughTheHubsRelativeRedirect() {
        hub.rename("HuggingFaceM4/old-idefics", REPO);
        HubClient client = new HubClient(HubTesting.config(hub, home).withToken(TOKEN));

        Path snapshot = client.snapshot("HuggingFaceM4/old-idefics", "main");

        assertEquals(home.resolve("hub/models--HuggingFaceM4--old-idefics/snapshots").resolve(commit), snapshot);
        assertTrue(hub.requests("hub").stream().anyMatch(r -> r.path().contains("/" + REPO + "/")
                && ("Bearer " + TOKEN).equals(r.authorization())), "the token follows a redirect within the Hub");
    }

    @Test
    void anUnreachableHubIsReportedAndACachedModelStillLoads() throws IOException {
        Path cached = HubTesting.client(hub, home).snapshot(REPO, "main");
        HubConfig down = HubTesting.config(hub, home).withEndpoint(URI.create("http://127.0.0.1:" + closedPort()));

        assertEquals(cached, new HubClient(down).snapshot(REPO, "main"));
        HubException e = TestAsserts.fails(HubException.Kind.NETWORK,
                () -> new HubClient(down).snapshot("org/never-downloaded", "main"));
        assertTrue(e.getMessage().contains("Cannot reach") && e.getMessage().contains("not in the cache"),
                e.getMessage());
    }

    @Test
    void somethingThatIsNoRepoIdIsRefused() {
        TestAsserts.fails(HubException.Kind.INVALID_ARGUMENT,
                () -> HubTesting.client(hub, home).snapshot("not a repo", "main"));
        assertEquals(List.of(), hub.requests());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
