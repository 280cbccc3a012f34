package dev.idefics4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A seeded mutation fuzzer without coverage guidance: random edits of real seed files (bit flips, interesting values,
 * truncation, splicing, insertions, deletions, edits of decimal and binary length fields), each fed to a
 * {@link FuzzTarget}. It is the short fuzz run of every build, from a fixed seed, next to Jazzer's coverage-guided
 * runs on demand ({@code JAZZER_FUZZ=1}); a finding or a hang past {@link #TIMEOUT_SECONDS} fails the test, and the
 * input is saved under {@code target/fuzz-failures} to be kept as a regression case in the target's Jazzer inputs
 * folder.
 *
 * <p>{@code -Didefics4j.fuzz.iterations=N} (per target) and {@code -Didefics4j.fuzz.seed=S} give a longer or
 * different run.
 */
public final class MutationFuzzer {
    public static final long TIMEOUT_SECONDS = 20;
    private static final byte[][] INTERESTING = {
            {0}, {(byte) 0xff}, {(byte) 0x7f}, {(byte) 0x80}, {1}, {0, 0, 0, (byte) 0x80},
            {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f}, {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f}};
    private static final String[] INTERESTING_TEXT = {"0", "-1", "1", "2147483647", "2147483648", "-2147483649",
            "9223372036854775807", "99999999999999999999", "1e308", "1e-400", "NaN", "null", "true", "\"\"", "[]",
            "{}", "[[[[[[[[[[[[[[[[", "{{", "}}", "{%", "%}", "\\u0000", "\\ud800", "\"", "\\", "![](", ")"};

    private MutationFuzzer() {
    }

    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Feeds the seeds, then {@code defaultIterations} mutated inputs (or the property's), to {@code target}. */
    public static void run(FuzzTarget target, List<byte[]> seeds, int defaultIterations) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException(target.name() + ": no seeds");
        }
        int iterations = Integer.getInteger("idefics4j.fuzz.iterations", defaultIterations);
        long seed = Long.getLong("idefics4j.fuzz.seed", 20261207L) ^ target.name().hashCode();
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz-" + target.name(), 0);
            t.setDaemon(true);
            return t;
        });
        try {
            for (byte[] input : seeds) {
                check(executor, target, input, "seed");
            }
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < iterations; i++) {
                byte[] input = seeds.get(random.nextInt(seeds.size()));
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits; e++) {
                    input = mutate(input, random);
                }
                check(executor, target, input, "iteration " + i + " (seed " + seed + ")");
            }
        } finally {
            executor.shutdownNow();
        }
    }

    private static void check(ExecutorService executor, FuzzTarget target, byte[] input, String what) {
        Future<?> result = executor.submit(() -> {
            target.accept(input);
            return null;
        });
        Throwable thrown;
        try {
            result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return;
        } catch (TimeoutException e) {
            result.cancel(true);
            thrown = new AssertionError("no result within " + TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            thrown = e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        Path saved = save(target.name(), input);
        fail(target.name() + " " + what + ": " + thrown + " (input saved to " + saved + ")", thrown);
    }

    private static Path save(String target, byte[] input) {
        try {
            Path dir = Files.createDirectories(Path.of("target/fuzz-failures", target));
            Path file = dir.resolve(Integer.toHexString(Arrays.hashCode(input)) + ".bin");
            Files.write(file, input);
            return file.toAbsolutePath();
        } catch (IOException e) {
            return null;
        }
    }

    static byte[] mutate(byte[] in, SplittableRandom r) {
        int n = in.length;
        switch (r.nextInt(9)) {
            case 0 -> { // bit flip
                if (n == 0) {
                    return new byte[] {(byte) r.nextInt(256)};
                }
                byte[] out = in.clone();
                out[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                return out;
            }
            case 1 -> { // overwrite with an interesting binary value (length fields, sign bits)
                byte[] v = INTERESTING[r.nextInt(INTERESTING.length)];
                if (n < v.length) {
                    return v.clone();
                }
                byte[] out = in.clone();
                int at = r.nextInt(8) == 0 ? 0 : r.nextInt(n - v.length + 1);
                System.arraycopy(v, 0, out, at, v.length);
                return out;
            }
            case 2 -> { // truncate
                return Arrays.copyOf(in, n == 0 ? 0 : r.nextInt(n));
            }
            case 3 -> { // delete a range
                if (n == 0) {
                    return in;
                }
                int from = r.nextInt(n);
                int len = 1 + r.nextInt(Math.min(64, n - from));
                return concat(Arrays.copyOfRange(in, 0, from), Arrays.copyOfRange(in, from + len, n));
            }
            case 4 -> { // duplicate a range in place
                if (n == 0) {
                    return in;
                }
                int from = r.nextInt(n);
                int len = 1 + r.nextInt(Math.min(256, n - from));
                return concat(Arrays.copyOfRange(in, 0, from + len), Arrays.copyOfRange(in, from, n));
            }
            case 5 -> { // random bytes
                byte[] out = in.clone();
                for (int k = 0, m = 1 + r.nextInt(8); k < m && n > 0; k++) {
                    out[r.nextInt(n)] = (byte) r.nextInt(256);
                }
                return out;
            }
            case 6 -> { // splice the head of this input with the tail of itself elsewhere
                if (n < 2) {
                    return in;
                }
                int cut = r.nextInt(n);
                int from = r.nextInt(n);
                return concat(Arrays.copyOfRange(in, 0, cut), Arrays.copyOfRange(in, from, n));
            }
            case 7 -> { // replace a decimal number (a text length or shape field) with an interesting one
                return editNumber(in, r);
            }
            default -> { // insert interesting text
                byte[] v = utf8(INTERESTING_TEXT[r.nextInt(INTERESTING_TEXT.length)]);
                int at = n == 0 ? 0 : r.nextInt(n + 1);
                return concat(concat(Arrays.copyOfRange(in, 0, at), v), Arrays.copyOfRange(in, at, n));
            }
        }
    }

    private static byte[] editNumber(byte[] in, SplittableRandom r) {
        List<int[]> numbers = new ArrayList<>();
        for (int i = 0; i < in.length && numbers.size() < 4096; i++) {
            if (in[i] >= '0' && in[i] <= '9') {
                int start = i;
                while (i < in.length && in[i] >= '0' && in[i] <= '9') {
                    i++;
                }
                numbers.add(new int[] {start, i});
            }
        }
        if (numbers.isEmpty()) {
            return in;
        }
        int[] span = numbers.get(r.nextInt(numbers.size()));
        String[] values = {"0", "1", "-1", "65535", "2147483647", "2147483648", "4294967296", "9223372036854775807",
                "18446744073709551616", "-9223372036854775808", String.valueOf(r.nextLong())};
        byte[] v = utf8(values[r.nextInt(values.length)]);
        return concat(concat(Arrays.copyOfRange(in, 0, span[0]), v), Arrays.copyOfRange(in, span[1], in.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
