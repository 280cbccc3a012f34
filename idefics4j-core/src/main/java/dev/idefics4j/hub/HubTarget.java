package dev.idefics4j.hub;

/**
 * What a request is about, so that an error can say it in the user's terms.
 *
 * @param repoId   {@code org/name}
 * @param revision the branch, tag or commit asked for
 * @param file     the file inside the repository, or null for a repository-level request
 */
record HubTarget(String repoId, String revision, String file) {
    String describe() {
        return (file == null ? "" : "'" + file + "' of ") + repoId + "@" + revision;
    }
}
