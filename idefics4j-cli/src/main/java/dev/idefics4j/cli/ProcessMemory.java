package dev.idefics4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory as Linux reports it in {@code /proc/self/status}: {@code VmRSS} now,
 * {@code VmHWM} its peak so far, and the now-resident anonymous (heap, off-heap copies, quantized weights) and
 * file-backed (memory-mapped checkpoint pages) parts. -1 for what the system does not report.
 */
record ProcessMemory(long residentBytes, long peakResidentBytes, long anonBytes, long fileBytes) {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    static ProcessMemory read() {
        long rss = -1;
        long hwm = -1;
        long anon = -1;
        long file = -1;
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                } else if (line.startsWith("RssAnon:")) {
                    anon = kib(line);
                } else if (line.startsWith("RssFile:")) {
                    file = kib(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: nothing known
        }
        return new ProcessMemory(rss, hwm, anon, file);
    }

    /**
     * Resets the peak ({@code VmHWM}) to the current resident size, so that a later {@link #read()} gives the peak
     * of what ran in between (Linux 4.0+: {@code echo 5 > /proc/self/clear_refs}); false where that is not possible.
     */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }

    static double gb(long bytes) {
        return bytes < 0 ? -1 : Samples.round(bytes / 1e9);
    }
}
