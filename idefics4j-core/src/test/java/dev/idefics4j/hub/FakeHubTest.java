package dev.idefics4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Tests against a {@link FakeHub} serving {@link HubTesting#ideficsRepo()}, with an empty HF_HOME each. */
abstract class FakeHubTest {
    @TempDir
    Path home;
    FakeHub hub;
    List<FakeHub.File> files;
    /** The commit main points to. */
    String commit;

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
        files = HubTesting.ideficsRepo();
        commit = hub.addRepo(HubTesting.REPO, files);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    FakeHub.File file(String path) {
        return HubTesting.file(files, path);
    }

    Path snapshotDir() {
        return HubTesting.repoFolder(home).resolve("snapshots").resolve(commit);
    }

    Path blobs() {
        return HubTesting.repoFolder(home).resolve("blobs");
    }
}
