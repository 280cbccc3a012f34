package dev.idefics4j.cli;

import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the command line says to a person: a mistake gets its error, the short usage and where the help is (not the
 * whole help); every argument and option has a description; a nonsensical --threads and an --out folder that holds
 * files are refused.
 */
class HelpTest {
    private static final String TINY = TestData.model("tiny").toString();

    @TempDir
    Path dir;

    @Test
    void aMissingArgumentGetsTheShortUsage() {
        CliRunner.Result r = CliRunner.run("ask");
        assertEquals(2, r.exitCode());
        List<String> lines = r.err().lines().toList();
        assertEquals("error: Missing required parameters: 'IMAGE', 'QUESTION'", lines.getFirst());
        assertEquals("usage: idefics4j ask [OPTIONS] IMAGE QUESTION", lines.get(1));
        assertEquals("Try 'idefics4j ask --help' for more information.", lines.get(2));
        assertEquals(3, lines.size(), r.err());
        CliRunner.Result typo = CliRunner.run("caption", "x.jpg", "--max-new-token", "3");
        assertEquals(2, typo.exitCode());
        assertTrue(typo.err().contains("--max-new-tokens"), "a suggestion: " + typo.err());
    }

    @Test
    void everyArgumentAndOptionIsDescribed() {
        CommandLine cli = new CommandLine(new Main());
        List<String> bare = new ArrayList<>();
        for (CommandLine sub : cli.getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec a : args) {
                if (a.description().length == 0 || String.join("", a.description()).isBlank()) {
                    bare.add(spec.qualifiedName() + " " + a.paramLabel()
                            + (a instanceof CommandLine.Model.OptionSpec o ? " " + o.longestName() : ""));
                }
            }
        }
        assertEquals(List.of(), bare);
        String help = CliRunner.run("ask", "--help").out();
        assertTrue(help.contains("QUESTION") && help.contains("What animal is this?"), help);
        assertTrue(help.lines().anyMatch(l -> l.contains("--top-k") && l.contains("likeliest")), help);
    }

    @Test
    void threadsMustBeAtLeastOne() {
        CliRunner.Result r = CliRunner.run("caption", "x.jpg", "--threads", "0");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: --threads must be at least 1, got 0"), r.err());
    }

    @Test
    void quantizeRefusesAFolderThatHoldsFilesUnlessForced() throws IOException {
        Path out = dir.resolve("q");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        CliRunner.Result r = CliRunner.run("quantize", "--model", TINY, "--quantize", "int8", "--out", out.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("already holds files") && r.err().contains("--force"), r.err());
        assertTrue(Files.notExists(out.resolve("config.json")), "nothing written");
        CliRunner.Result forced = CliRunner.run("quantize", "--model", TINY, "--quantize", "int8", "--out",
                out.toString(), "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertTrue(Files.exists(out.resolve("config.json")));
    }
}
