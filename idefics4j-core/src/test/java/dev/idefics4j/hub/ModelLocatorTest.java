package dev.idefics4j.hub;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ModelLocatorTest extends FakeHubTest {
    @Test
    void anExistingFolderIsUsedAsItIs() throws IOException {
        Path folder = Files.createDirectory(home.resolve("my-model"));

        assertEquals(folder, ModelLocator.resolve(folder.toString(), "main", HubTesting.client(hub, home)));
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void aRepoIdIsDownloaded() {
        Path folder = ModelLocator.resolve(HubTesting.REPO, null, HubTesting.client(hub, home));

        assertEquals(snapshotDir(), folder);
    }

    @Test
    void anythingElseIsAClearError() throws IOException {
        HubClient client = HubTesting.client(hub, home);
        Path file = Files.writeString(home.resolve("model.safetensors"), "x");

        TestAsserts.fails(HubException.Kind.INVALID_ARGUMENT, () -> ModelLocator.resolve("./no/such", null, client));
        TestAsserts.fails(HubException.Kind.INVALID_ARGUMENT, () -> ModelLocator.resolve("a/b/c", null, client));
        TestAsserts.fails(HubException.Kind.INVALID_ARGUMENT, () -> ModelLocator.resolve(" ", null, client));
        TestAsserts.fails(HubException.Kind.INVALID_ARGUMENT,
                () -> ModelLocator.resolve(file.toString(), null, client));
        assertEquals(List.of(), hub.requests());
    }
}
