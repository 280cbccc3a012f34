package dev.idefics4j.spark;

import java.util.Locale;

/** What a job does when its output path already holds something. */
public enum WriteMode {
    /** Fail before computing anything. */
    ERROR,
    /** Replace it once the new output is complete; until then the old one stays as it was. */
    OVERWRITE,
    /** Leave a complete output (one with {@code _SUCCESS}) alone and compute nothing; replace an incomplete one. */
    SKIP;

    public static WriteMode of(String name) {
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown mode '" + name + "': error, overwrite or skip");
        }
    }
}
