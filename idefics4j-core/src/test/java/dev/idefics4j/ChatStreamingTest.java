package dev.idefics4j;

import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.testing.TinyModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The README's two chat turns on the tiny random model: the second, streamed answer is empty because the model
 * writes {@code <end_of_utterance>} first, not because streaming lost text; what is streamed is the answer, empty or
 * not.
 */
class ChatStreamingTest {
    private static final ImageSource CAT = ImageSource.file(TestData.fixture("images/cat_rgb_97x61.jpg"));
    private static final ImageSource ROCKET = ImageSource.file(TestData.fixture("images/rocket_rgb_200x320.jpg"));

    private static String[] twoTurns(Map<String, Object> generation, StringBuilder streamed) {
        ChatSession chat = TinyModel.get().chat(generation);
        String first = chat.send(List.of(PromptItem.text("What is in this image?"), PromptItem.image(CAT)));
        String second = chat.send(List.of(PromptItem.text("And who is that?"), PromptItem.image(ROCKET)),
                streamed::append);
        return new String[] {first, second};
    }

    @Test
    void theSecondAnswerIsEmptyBecauseTheModelEndsItsTurnAtOnce() {
        StringBuilder streamed = new StringBuilder();
        String[] answers = twoTurns(Map.of(), streamed);
        assertEquals("", answers[1]);
        assertEquals("", streamed.toString());
        // The same prompt, generated directly: its first new token is <end_of_utterance>.
        ChatSession replay = TinyModel.get().chat();
        replay.send(List.of(PromptItem.text("What is in this image?"), PromptItem.image(CAT)));
        List<PromptItem> prompt = new ArrayList<>(replay.history());
        prompt.add(PromptItem.text("\nUser: And who is that?"));
        prompt.add(PromptItem.image(ROCKET));
        prompt.add(PromptItem.text("<end_of_utterance>"));
        prompt.add(PromptItem.text("\nAssistant:"));
        Idefics idefics = TinyModel.get();
        Completion c = idefics.generate(List.of(prompt), ProcessorOptions.DEFAULTS.withAddEndOfUtteranceToken(false),
                idefics.chatConfig()).getFirst();
        assertArrayEquals(new int[] {32002}, c.newIds());
    }

    @Test
    void whatIsStreamedIsTheAnswer() {
        StringBuilder streamed = new StringBuilder();
        String[] answers = twoTurns(Map.of("min_new_tokens", 3, "max_new_tokens", 6), streamed);
        assertFalse(answers[1].isEmpty());
        assertEquals(answers[1], streamed.toString().strip());
    }
}
