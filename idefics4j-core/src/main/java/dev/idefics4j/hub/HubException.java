package dev.idefics4j.hub;

/**
 * Anything that keeps a model from being fetched from the Hub or found in the cache. The message says what to do;
 * {@link #kind()} lets callers react without parsing it.
 */
public class HubException extends RuntimeException {
    /** What went wrong, coarse enough to branch on. */
    public enum Kind {
        /** The repository does not exist, or is private and the token (if any) cannot see it. */
        REPO_NOT_FOUND,
        /** The branch, tag or commit does not exist in the repository. */
        REVISION_NOT_FOUND,
        /** A file the model needs is not in the repository. */
        FILE_NOT_FOUND,
        /** A gated or private repository was asked for without a token. */
        AUTH_REQUIRED,
        /** A token was sent but it is invalid or has no access to the repository. */
        ACCESS_DENIED,
        /** The Hub could not be reached. */
        NETWORK,
        /** The Hub answered with a server error or a rate limit. */
        UNAVAILABLE,
        /** Offline (or unreachable) and the files are not in the local cache. */
        NOT_CACHED,
        /** Downloaded bytes do not match the size or sha256 the Hub announced. */
        CHECKSUM,
        /** The caller passed something that is neither a folder nor a repo id, or a malformed name. */
        INVALID_ARGUMENT,
        /** The Hub answered in a way this client does not understand, or the local disk failed. */
        OTHER
    }

    private final Kind kind;

    public HubException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public HubException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
