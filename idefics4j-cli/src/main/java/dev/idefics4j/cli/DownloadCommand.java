package dev.idefics4j.cli;

import dev.idefics4j.hub.HubClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download an IDEFICS checkpoint from the Hugging Face Hub into the shared Hugging Face cache.",
                "Honours HF_TOKEN, HF_ENDPOINT, HF_HOME / HF_HUB_CACHE and HF_HUB_OFFLINE."})
final class DownloadCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REPO_ID", description = "For example HuggingFaceM4/idefics-9b-instruct.")
    String repoId;

    @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit (default: main).")
    String revision;

    @Override
    public Integer call() {
        Path snapshot = HubClient.fromEnvironment().snapshot(repoId, revision);
        System.out.println(snapshot);
        return 0;
    }
}
