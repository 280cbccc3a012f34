package dev.idefics4j.cli;

import dev.idefics4j.Idefics;
import dev.idefics4j.request.Requests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Run many generate requests: JSON Lines in, JSON Lines out (same order), progress on stderr.",
                "A line that is broken, or whose image cannot be read, gets {\"error\": ...}; the others are answered.",
                "Relative image paths resolve against the input file's folder. Exit code 0 when at least one line "
                        + "was answered, 1 when every line failed (the output is written either way)."})
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
        List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        Path baseDir = input.toAbsolutePath().getParent();
        Path tmp = output.resolveSibling(output.getFileName() + ".partial");
        int errors = 0;
        ProgressBar progress = new ProgressBar(System.err, "batch", lines.size());
        try (Idefics idefics = Session.open(model);
             BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (int i = 0; i < lines.size(); i++) {
                Map<String, Object> result = Requests.batchLine(idefics, lines.get(i), i + 1, baseDir);
                errors += result.containsKey("error") ? 1 : 0;
                out.write(Json.write(result));
                out.newLine();
                out.flush();
                progress.step();
            }
        }
        progress.done();
        // The output appears whole or not at all.
        Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.err.printf("%d request(s), %d error(s) -> %s%n", lines.size(), errors, output);
        if (errors > 0 && errors == lines.size()) {
            // A script must notice a run that answered nothing (a wrong image folder, say).
            System.err.println("error: every request failed; the reasons are in the error lines of " + output);
            return 1;
        }
        return 0;
    }

}
