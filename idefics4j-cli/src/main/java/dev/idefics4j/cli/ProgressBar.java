package dev.idefics4j.cli;

import java.io.PrintStream;

/** A one-line progress bar on a terminal stream, redrawn at most every 100 ms. */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String label;
    private final int total;
    private final long start = System.nanoTime();
    private int done;
    private long lastDraw;

    ProgressBar(PrintStream out, String label, int total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    void step() {
        done++;
        long now = System.nanoTime();
        if (now - lastDraw > 100_000_000L || done == total) {
            lastDraw = now;
            draw();
        }
    }

    void done() {
        draw();
        out.println();
    }

    private void draw() {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("\r%s [%s%s] %d/%d %.1fs", label, "#".repeat(filled), " ".repeat(WIDTH - filled), done, total,
                seconds);
        out.flush();
    }
}
