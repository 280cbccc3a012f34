package dev.idefics4j.spark;

import java.util.Locale;

/** The file formats a job reads and writes. */
public enum Format {
    PARQUET, JSON, CSV;

    /** {@code parquet}, {@code json} (JSON Lines; also {@code jsonl}, {@code ndjson}) or {@code csv}. */
    public static Format of(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "parquet" -> PARQUET;
            case "json", "jsonl", "ndjson" -> JSON;
            case "csv" -> CSV;
            default -> throw new IllegalArgumentException("unknown format '" + name + "': parquet, json or csv");
        };
    }

    /** The format a path's extension names. */
    public static Format ofPath(String path) {
        String name = path.replaceAll("/+$", "");
        int dot = name.lastIndexOf('.');
        if (dot < 0 || dot < name.lastIndexOf('/')) {
            throw new IllegalArgumentException(path + ": cannot tell the format from the name; give --format");
        }
        return of(name.substring(dot + 1));
    }

    String sparkName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
