package dev.idefics4j.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Draws {@code name  42% [########            ] 1.2 GB / 2.9 GB  85.3 MB/s} on one line, redrawn in place with a
 * carriage return. Redraws are throttled: a multi-gigabyte shard produces thousands of updates a second.
 */
final class ConsoleProgress implements DownloadProgress {
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private String file;
    private long startNanos;
    private long startBytes;
    private long lastDrawNanos;

    ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void update(String name, long done, long total) {
        long now = System.nanoTime();
        if (!name.equals(file)) {
            file = name;
            startNanos = now;
            startBytes = done;
            lastDrawNanos = 0;
        }
        if (now - lastDrawNanos >= REDRAW_NANOS) {
            lastDrawNanos = now;
            out.print("\r" + line(name, done, total, now));
            out.flush();
        }
    }

    @Override
    public synchronized void finish(String name, long done, long total) {
        out.println("\r" + line(name, done, total, System.nanoTime()));
        out.flush();
        file = null;
    }

    private String line(String name, long done, long total, long now) {
        String shown = name.length() > 40 ? "…" + name.substring(name.length() - 39) : name;
        StringBuilder sb = new StringBuilder(shown);
        if (total > 0) {
            double fraction = Math.min(1.0, (double) done / total);
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            sb.append(String.format(Locale.ROOT, " %3d%% [", Math.round(fraction * 100)))
                    .append("#".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(bytes(done)).append(" / ").append(bytes(total));
        } else {
            sb.append(' ').append(bytes(done));
        }
        double seconds = (now - startNanos) / 1e9;
        if (seconds > 0.5) {
            sb.append("  ").append(bytes((long) ((done - startBytes) / seconds))).append("/s");
        }
        // Trailing blanks wipe what a longer previous line left behind.
        return sb.append("    ").toString();
    }

    static String bytes(long n) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = n;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
