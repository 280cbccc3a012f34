package dev.idefics4j.cli;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The sources of {@code chat}'s lines: JLine's line editor on a terminal, plain lines from a pipe or file. */
final class ChatLines {
    private ChatLines() {
    }

    /**
     * A line editor (arrow keys, history kept in {@code history}) when standard input is a terminal; otherwise the
     * lines of standard input, each prompt echoed to {@code err}.
     */
    static ChatRepl.Lines open(Path history, PrintStream err) throws IOException {
        java.io.Console console = System.console();
        if (console != null && console.isTerminal()) {
            Files.createDirectories(history.getParent());
            Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build();
            return editor(terminal, history);
        }
        return plain(System.in, err);
    }

    /** JLine's reader on {@code terminal}; {@code history} (a file) may be null. */
    static ChatRepl.Lines editor(Terminal terminal, Path history) {
        LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("idefics4j");
        if (history != null) {
            builder.variable(LineReader.HISTORY_FILE, history);
        }
        LineReader reader = builder.build();
        return new ChatRepl.Lines() {
            @Override
            public String read(String prompt) {
                try {
                    return reader.readLine(prompt);
                } catch (UserInterruptException e) {
                    return ""; // Ctrl-C: the line is dropped
                } catch (EndOfFileException e) {
                    return null;
                }
            }

            @Override
            public void close() throws IOException {
                terminal.close();
            }
        };
    }

    static ChatRepl.Lines plain(InputStream in, PrintStream err) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        return new ChatRepl.Lines() {
            @Override
            public String read(String prompt) throws IOException {
                err.print(prompt);
                err.flush();
                return reader.readLine();
            }

            @Override
            public void close() {
                // standard input stays open: it is not ours
            }
        };
    }
}
