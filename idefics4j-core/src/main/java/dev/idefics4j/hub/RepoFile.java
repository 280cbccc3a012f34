package dev.idefics4j.hub;

/**
 * One file of a repository at a commit, as the Hub lists it in a revision's {@code siblings}.
 *
 * @param path      the path inside the repository, with forward slashes
 * @param size      the file's size in bytes (for LFS files the real content, not the pointer), or -1 if not listed
 * @param blobId    the git blob id, or null when the listing had no blob metadata
 * @param lfsSha256 the sha256 of the content for LFS files, else null
 */
record RepoFile(String path, long size, String blobId, String lfsSha256) {
    /**
     * The name of this file's blob in the cache, as huggingface_hub names it from the ETag: the sha256 for LFS
     * files, the git blob id for others; null when the listing did not say.
     */
    String etag() {
        return lfsSha256 != null ? lfsSha256 : blobId;
    }
}
