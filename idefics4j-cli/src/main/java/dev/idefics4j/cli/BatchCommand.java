package dev.idefics4j.cli;

import dev.idefics4j.Idefics;
import dev.idefics4j.request.Requests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Run many generate requests: JSON Lines in, JSON Lines out (same order), progress on stderr.",
                "A line that is broken, or whose image cannot be read, gets {\"error\": ...}; the others are answered.",
                "Relative image paths resolve against the input file's folder. Exit code 0 when at least one line "
                        + "was answered, 1 when every line failed (the output is written either way).",
                "A file output appears whole when the run ends; a device or pipe (/dev/stdout) gets each line as it is "
                        + "answered."})
final class BatchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "IN.jsonl", description = "One request per line.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "OUT.jsonl", description = "One result per line.")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("--input " + input + ": no such file");
        }
        boolean stream = checkOutput(output);
        List<String> lines = lines(Files.readAllBytes(input));
        Path baseDir = input.toAbsolutePath().getParent();
        int errors;
        ProgressBar progress = new ProgressBar(System.err, "batch", lines.size());
        try (Idefics idefics = Session.open(model)) {
            errors = stream ? streamTo(output, idefics, lines, baseDir, progress)
                    : writeWhole(output, idefics, lines, baseDir, progress);
        }
        System.err.printf("%d request(s), %d error(s) -> %s%n", lines.size(), errors, output);
        if (errors > 0 && errors == lines.size()) {
            // A script must notice a run that answered nothing (a wrong image folder, say).
            System.err.println("error: every request failed; the reasons are in the error lines of " + output);
            return 1;
        }
        return 0;
    }

    /** A regular file appears whole or not at all: lines go to a temporary file renamed at the end. */
    private static int writeWhole(Path output, Idefics idefics, List<String> lines, Path baseDir, ProgressBar progress)
            throws IOException {
        Path tmp = output.resolveSibling(output.getFileName() + ".partial");
        boolean moved = false;
        try {
            int errors;
            try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                errors = answer(out, idefics, lines, baseDir, progress);
            }
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            return errors;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** A device or FIFO ({@code /dev/stdout}, a pipe) is written in place, line by line as each is answered. */
    private static int streamTo(Path output, Idefics idefics, List<String> lines, Path baseDir, ProgressBar progress) {
        try (BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8,
                StandardOpenOption.WRITE)) {
            return answer(out, idefics, lines, baseDir, progress);
        } catch (IOException e) {
            throw new UncheckedIOException("--output " + output + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static int answer(BufferedWriter out, Idefics idefics, List<String> lines, Path baseDir,
                              ProgressBar progress) throws IOException {
        int errors = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Map<String, Object> result = line == null
                    ? Requests.lineError(i + 1, "the line is not valid UTF-8")
                    : Requests.batchLine(idefics, line, i + 1, baseDir);
            errors += result.containsKey("error") ? 1 : 0;
            out.write(Json.write(result));
            out.newLine();
            out.flush();
            progress.step();
        }
        progress.done();
        return errors;
    }

    /**
     * Checks the output target before the model loads (a missing folder or a directory would otherwise fail after
     * the whole run). Returns true for a device, FIFO or socket, which is written in place rather than replaced by
     * a renamed file.
     */
    static boolean checkOutput(Path output) {
        if (Files.isDirectory(output)) {
            throw new IllegalArgumentException("--output " + output + ": is a directory; name a file to write");
        }
        if (Files.exists(output) && !Files.isRegularFile(output)) {
            if (!Files.isWritable(output)) {
                throw new IllegalArgumentException("--output " + output + ": cannot write to it");
            }
            return true;
        }
        Path folder = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("--output " + output + ": the folder " + folder
                    + " does not exist; create it first");
        }
        if (!Files.isWritable(folder)) {
            throw new IllegalArgumentException("--output " + output + ": cannot write in the folder " + folder);
        }
        return false;
    }

    /** The input's lines ({@code \n} or {@code \r\n}); a line that is not valid UTF-8 is null, the others stand. */
    static List<String> lines(byte[] bytes) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            out.add(utf8(bytes, start, stop));
            start = end + 1;
        }
        return out;
    }

    private static String utf8(byte[] bytes, int from, int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
