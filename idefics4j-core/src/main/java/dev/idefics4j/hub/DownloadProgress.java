package dev.idefics4j.hub;

/**
 * Receives download progress, one file at a time. Calls come from the downloading thread; an implementation must
 * return quickly since it sits on the copy loop.
 */
public interface DownloadProgress {
    /**
     * Bytes of {@code file} now on disk, including any resumed prefix.
     *
     * @param total the full size, or -1 when the Hub did not say
     */
    void update(String file, long done, long total);

    /** {@code file} is complete and verified (or its download has stopped, when {@code done < total}). */
    void finish(String file, long done, long total);

    /** Reports nothing: for tests and for callers that show their own progress. */
    static DownloadProgress silent() {
        return Silent.INSTANCE;
    }

    /** A one-line bar on standard error. */
    static DownloadProgress console() {
        return new ConsoleProgress(System.err);
    }

    /** The no-op listener behind {@link #silent()}. */
    enum Silent implements DownloadProgress {
        INSTANCE;

        @Override
        public void update(String file, long done, long total) {
        }

        @Override
        public void finish(String file, long done, long total) {
        }
    }
}
