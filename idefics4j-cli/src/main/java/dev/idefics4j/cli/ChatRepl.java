package dev.idefics4j.cli;

import dev.idefics4j.ChatSession;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.request.RequestParser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The loop of {@code idefics4j chat}, apart from the terminal: each line is a turn whose words that are image files or
 * http(s) URLs become images (said before the answer), a word that looks like an image file but names none stops the
 * turn with a warning, and the commands {@code /help}, {@code /reset} and {@code /quit} are answered here, never sent
 * to the model. Answers go to {@code out}; prompts' companions (banner, notes, warnings) to {@code err}.
 */
final class ChatRepl {
    /** Where lines come from: a line editor on a terminal, or plain standard input. */
    interface Lines extends AutoCloseable {
        /** The next line, null at the end of input; an interrupted line (Ctrl-C) is empty. */
        String read(String prompt) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** A typed line as the model gets it, the words that became images, and those that look like missing images. */
    record Turn(List<PromptItem> items, List<String> images, List<String> missing) {
    }

    static final String PROMPT = "you> ";
    static final String HELP = """
            A turn is one line of text; a word that is an image file (relative to %s) or an http(s) URL becomes an
            image where it stands, e.g.:  What is in this image? photos/cat.jpg
            Commands:
              /help    this text
              /reset   forget the conversation (its images too) and start over
              /quit    leave (also /exit, or Ctrl-D)
            The up and down arrows recall earlier lines; Ctrl-C clears the line.""";
    private static final Set<String> IMAGE_SUFFIXES = Set.of(".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp",
            ".tif", ".tiff");

    private final Lines lines;
    private final PrintStream out;
    private final PrintStream err;
    private final ChatSession chat;
    private final Path workDir;

    ChatRepl(Lines lines, PrintStream out, PrintStream err, ChatSession chat, Path workDir) {
        this.lines = lines;
        this.out = out;
        this.err = err;
        this.chat = chat;
        this.workDir = workDir;
    }

    /** Reads and answers turns until /quit or the end of input. */
    void run() throws IOException {
        for (String line; (line = lines.read(PROMPT)) != null; ) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.startsWith("/")) {
                if (!command(trimmed)) {
                    return;
                }
                continue;
            }
            Turn turn = parse(trimmed, workDir);
            if (!turn.missing().isEmpty()) {
                err.println("not sent: " + String.join(", ", turn.missing()) + (turn.missing().size() == 1
                        ? " looks like an image file, but there is none" : " look like image files, but there are none")
                        + " (relative paths start at " + workDir + ")");
                continue;
            }
            if (!turn.images().isEmpty()) {
                err.println("(" + (turn.images().size() == 1 ? "image: " : "images: ")
                        + String.join(", ", turn.images()) + ")");
            }
            answer(turn.items());
        }
        err.println(); // after Ctrl-D the shell's prompt starts on a line of its own
    }

    /** Answers a command; false when it is the one to leave. */
    private boolean command(String line) {
        String name = line.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        switch (name) {
            case "/quit", "/exit" -> {
                return false;
            }
            case "/help", "/?" -> err.println(HELP.formatted(workDir));
            case "/reset" -> {
                chat.reset();
                err.println("(conversation cleared: the next turn starts a new one)");
            }
            default -> err.println("unknown command " + name + "; /help lists the commands (nothing was sent)");
        }
        return true;
    }

    private void answer(List<PromptItem> items) {
        out.print("assistant> ");
        out.flush();
        try {
            String answer = chat.send(items, text -> {
                out.print(text);
                out.flush();
            });
            if (answer.isEmpty()) {
                out.print("(no answer: the model ended its turn at once)");
            }
        } catch (RuntimeException e) {
            out.print("[error: " + (e.getMessage() == null ? e.toString() : e.getMessage()) + "]");
        }
        out.println();
    }

    /**
     * Splits a line into text and images at spaces: a word that is an existing file ({@code ~/} is the home folder,
     * a trailing {@code ?!,;:} is punctuation) or an http(s) URL is an image; a word with an image file's suffix
     * that names no file is reported as missing.
     */
    static Turn parse(String line, Path workDir) {
        List<PromptItem> items = new ArrayList<>();
        List<String> images = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String word : line.split(" ")) {
            String bare = word.replaceAll("[?!,;:]+$", "");
            String lower = bare.toLowerCase(Locale.ROOT);
            boolean url = lower.startsWith("http://") || lower.startsWith("https://");
            Path file = bare.isEmpty() || url ? null : workDir.resolve(expandHome(bare));
            if (url || (file != null && Files.isRegularFile(file))) {
                if (!text.isEmpty()) {
                    items.add(PromptItem.text(text.toString().strip()));
                    text.setLength(0);
                }
                items.add(PromptItem.image(RequestParser.imageSource(url ? bare : file.toString(), workDir)));
                images.add(bare);
            } else {
                if (IMAGE_SUFFIXES.stream().anyMatch(lower::endsWith)) {
                    missing.add(bare);
                }
                text.append(word).append(' ');
            }
        }
        if (!text.toString().isBlank()) {
            items.add(PromptItem.text(text.toString().strip()));
        }
        return new Turn(items, images, missing);
    }

    private static String expandHome(String path) {
        return path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
    }
}
