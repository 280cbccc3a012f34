package dev.idefics4j.hub;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Turns what a user typed for "the model" into a folder: a local folder as it is, or a Hub repo id fetched into
 * (or found in) the cache.
 */
public final class ModelLocator {
    private ModelLocator() {
    }

    /** As {@link #resolve(String, String, HubClient)} with a client configured by the environment. */
    public static Path resolve(String folderOrRepoId, String revision) {
        return resolve(folderOrRepoId, revision, null);
    }

    /**
     * An existing folder is returned as it is (the revision is then ignored); {@code org/name} is the IDEFICS file
     * set of that Hub repository at {@code revision} (null: main), downloaded or taken from the cache.
     *
     * @param client the client for Hub repo ids; null to configure one from the environment, only when needed
     * @throws HubException INVALID_ARGUMENT when the argument is neither, else as {@link HubClient#snapshot}
     */
    public static Path resolve(String folderOrRepoId, String revision, HubClient client) {
        if (folderOrRepoId == null || folderOrRepoId.isBlank()) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT,
                    "No model given: pass a local model folder or a Hub repo id such as 'HuggingFaceM4/idefics-9b'");
        }
        String arg = folderOrRepoId.strip();
        Path folder = localPath(arg);
        if (folder != null && Files.isDirectory(folder)) {
            return folder;
        }
        if (folder != null && Files.exists(folder)) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "'" + arg + "' is a file; pass the folder"
                    + " that holds config.json and the weights");
        }
        if (HubClient.REPO_ID.matcher(arg).matches() && !arg.startsWith(".")) {
            return (client != null ? client : HubClient.fromEnvironment()).snapshot(arg, revision);
        }
        throw new HubException(HubException.Kind.INVALID_ARGUMENT, "'" + arg + "' is neither an existing folder"
                + " nor a Hub repo id like 'HuggingFaceM4/idefics-9b'"
                + (folder != null ? " (no folder " + folder.toAbsolutePath().normalize() + ")" : ""));
    }

    /** The argument as a path with {@code ~} expanded, or null when it cannot be one. */
    private static Path localPath(String arg) {
        String expanded = arg.equals("~") || arg.startsWith("~/")
                ? System.getProperty("user.home") + arg.substring(1) : arg;
        try {
            return Path.of(expanded);
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
