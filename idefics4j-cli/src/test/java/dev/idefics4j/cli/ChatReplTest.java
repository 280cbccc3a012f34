package dev.idefics4j.cli;

import dev.idefics4j.ChatSession;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.testing.TinyModel;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat loop through JLine's line reader on a dumb terminal over streams (what a terminal session runs, minus the
 * terminal): commands answered and never sent, the words that became images said, a missing image file stopping
 * its turn, an empty answer said, the end of input leaving on a new line; and how a line splits into text and images.
 */
class ChatReplTest {
    private static final Path IMAGES = TestData.fixture("images");

    private record Session(String out, String err, ChatSession chat) {
    }

    /** Runs the loop on {@code input} typed into a dumb terminal, the image folder as working directory. */
    private static Session run(String input) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ChatSession chat = TinyModel.get().chat(Map.of("max_new_tokens", 4));
        try (Terminal terminal = TerminalBuilder.builder().system(false).type(Terminal.TYPE_DUMB)
                .streams(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream())
                .build();
             ChatRepl.Lines lines = ChatLines.editor(terminal, null)) {
            new ChatRepl(lines, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), chat, IMAGES).run();
        }
        return new Session(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), chat);
    }

    @Test
    void commandsAreAnsweredNotSent() throws IOException {
        Session s = run("/help\n/bogus\n/reset\n");
        assertTrue(s.err().contains("/reset   forget the conversation"), s.err());
        assertTrue(s.err().contains("unknown command /bogus; /help lists the commands"), s.err());
        assertTrue(s.err().contains("(conversation cleared"), s.err());
        assertEquals("", s.out(), "nothing went to the model");
        assertEquals(List.of(), s.chat().history());
        assertTrue(s.err().endsWith(System.lineSeparator()), "the end of input leaves on a new line");
    }

    @Test
    void imagesAreSaidAndMissingOnesStopTheTurn() throws IOException {
        Session s = run("What is in cat_rgb_97x61.jpg?\nAnd in dog.jpg please\n/quit\nnot read\n");
        assertTrue(s.err().contains("(image: cat_rgb_97x61.jpg)"), s.err());
        assertTrue(s.err().contains("not sent: dog.jpg looks like an image file, but there is none"), s.err());
        assertEquals(1, s.out().split("assistant> ", -1).length - 1, "one turn answered: " + s.out());
        // The turn went out as text, the image, then the rest.
        List<PromptItem> history = s.chat().history();
        assertEquals(PromptItem.text("User: What is in"), history.get(0));
        assertInstanceOf(PromptItem.Image.class, history.get(1));
    }

    @Test
    void anEmptyAnswerIsSaid() throws IOException {
        // The README's second turn: the tiny model ends it at once.
        Session s = run("What is in this image? cat_rgb_97x61.jpg\nAnd who is that? rocket_rgb_200x320.jpg\n");
        assertTrue(s.out().contains("assistant> (no answer: the model ended its turn at once)"), s.out());
    }

    @Test
    void linesSplitIntoTextAndImages() {
        ChatRepl.Turn t = ChatRepl.parse("Compare cat_rgb_97x61.jpg and https://example.com/x.png, not b.png",
                IMAGES);
        assertEquals(List.of("cat_rgb_97x61.jpg", "https://example.com/x.png"), t.images());
        assertEquals(List.of("b.png"), t.missing());
        assertEquals(PromptItem.text("Compare"), t.items().get(0));
        assertInstanceOf(PromptItem.Image.class, t.items().get(1));
        assertEquals(PromptItem.text("and"), t.items().get(2));
        assertInstanceOf(PromptItem.Image.class, t.items().get(3));
        assertEquals(PromptItem.text("not b.png"), t.items().get(4));
    }
}
