package dev.idefics4j.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * A job's output, committed whole. Spark writes into a hidden staging folder beside the final path (its output
 * committer moves the tasks' files there and adds {@code _SUCCESS} only once every task committed); then that
 * folder is renamed to the final path, after moving an output it replaces aside. A failed job leaves nothing at the
 * final path — an output it was to replace stays as it was — and its staging folder is removed.
 */
final class AtomicOutput {
    static final String SUCCESS = "_SUCCESS";

    private final FileSystem fs;
    private final Path target;

    AtomicOutput(String output, Configuration conf) {
        try {
            Path path = new Path(output);
            this.fs = path.getFileSystem(conf);
            this.target = fs.makeQualified(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + output + ": " + e.getMessage(), e);
        }
    }

    Path target() {
        return target;
    }

    boolean exists() {
        return io(() -> fs.exists(target));
    }

    /** Whether a whole output is there: a folder with {@code _SUCCESS}. */
    boolean isComplete() {
        return io(() -> fs.exists(new Path(target, SUCCESS)));
    }

    /** Writes through {@code writer} into staging, then puts the result at the final path. */
    void write(DataFrameWriter<Row> writer) {
        String name = target.getName();
        Path staging = new Path(target.getParent(), "." + name + ".staging-" + UUID.randomUUID());
        try {
            writer.mode(SaveMode.ErrorIfExists).save(staging.toString());
            // Some clusters turn the marker off; the job did commit, and the marker is what "complete" means here.
            if (!io(() -> fs.exists(new Path(staging, SUCCESS)))) {
                io(() -> {
                    fs.create(new Path(staging, SUCCESS), false).close();
                    return true;
                });
            }
            commit(staging);
        } catch (Exception e) {
            // Spark's job failures are checked SparkExceptions that Scala throws undeclared.
            io(() -> fs.delete(staging, true));
            throw e;
        }
    }

    private void commit(Path staging) {
        Path replaced = null;
        if (exists()) {
            replaced = new Path(target.getParent(), "." + target.getName() + ".replaced-" + UUID.randomUUID());
            rename(target, replaced);
        }
        try {
            rename(staging, target);
        } catch (RuntimeException e) {
            if (replaced != null) {
                rename(replaced, target);
            }
            throw e;
        }
        if (replaced != null) {
            Path old = replaced;
            io(() -> fs.delete(old, true));
        }
    }

    private void rename(Path from, Path to) {
        if (!io(() -> fs.rename(from, to))) {
            throw new IllegalStateException("cannot rename " + from + " to " + to);
        }
    }

    private interface IoCall {
        boolean call() throws IOException;
    }

    private static boolean io(IoCall call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
