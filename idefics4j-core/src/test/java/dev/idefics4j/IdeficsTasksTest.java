package dev.idefics4j;

import dev.idefics4j.generation.ContinuationScore;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each task of the guide end to end through the facade on the tiny fixture checkpoint: the exact prompt the model
 * sees, and that the task's answer is the generation of exactly that prompt with the guide's settings.
 */
class IdeficsTasksTest {
    private static Idefics idefics;
    private static final ImageSource CAT = ImageSource.file(TestData.fixture("images/cat_rgb_97x61.jpg"));
    private static final ImageSource ROCKET = ImageSource.file(TestData.fixture("images/rocket_rgb_200x320.jpg"));

    @BeforeAll
    static void load() {
        idefics = Idefics.load(TestData.model("tiny"));
    }

    @AfterAll
    static void close() {
        idefics.close();
    }

    private static String promptSeen(List<PromptItem> prompt) {
        return idefics.encode(List.of(prompt), ProcessorOptions.DEFAULTS).promptStrings().get(0);
    }

    private static Completion direct(List<PromptItem> prompt, GenerationConfig config) {
        return idefics.generate(List.of(prompt), ProcessorOptions.DEFAULTS, config).get(0);
    }

    private static GenerationConfig guide(Map<String, ?> overrides) {
        return idefics.guideConfig().withOverrides(overrides);
    }

    @Test
    void guideDefaultsBanTheImageTokens() {
        List<int[]> bad = idefics.guideConfig().badWordsIds();
        assertEquals(2, bad.size());
        assertEquals(32001, bad.get(0)[0]);
        assertEquals(32000, bad.get(1)[0]);
    }

    @Test
    void caption() {
        assertEquals("<s><fake_token_around_image><image><fake_token_around_image>",
                promptSeen(GuidePrompts.caption(CAT)));
        Completion c = direct(GuidePrompts.caption(CAT), guide(Map.of("max_new_tokens", 10)));
        assertEquals(c.newText().strip(), idefics.caption(CAT));
        assertEquals(10, c.newIds().length);
        for (int id : c.newIds()) {
            assertTrue(id != 32000 && id != 32001, "image tokens are banned");
        }
    }

    @Test
    void promptedCaption() {
        List<PromptItem> p = GuidePrompts.promptedCaption(CAT, "This is an image of ");
        assertEquals("<s><fake_token_around_image><image><fake_token_around_image>This is an image of",
                promptSeen(p));
        assertEquals(direct(p, guide(Map.of("max_new_tokens", 30))).newText().strip(),
                idefics.caption(CAT, "This is an image of ", Map.of()));
    }

    @Test
    void fewShot() {
        List<FewShotExample> examples = List.of(new FewShotExample(ROCKET, "A rocket on its launch pad."));
        List<PromptItem> p = GuidePrompts.fewShot(examples, CAT, "Describe this image.");
        assertEquals("<s>User:<fake_token_around_image><image><fake_token_around_image>Describe this image.\n"
                + "Assistant: A rocket on its launch pad.\n<end_of_utterance>User:<fake_token_around_image><image>"
                + "<fake_token_around_image>Describe this image.\nAssistant:", promptSeen(p));
        assertEquals(direct(p, guide(Map.of("max_new_tokens", 30))).newText().strip(),
                idefics.fewShot(examples, CAT, "Describe this image.", Map.of()));
    }

    @Test
    void visualQuestionAnswering() {
        List<PromptItem> p = GuidePrompts.ask(CAT, "What animal is this?");
        assertEquals("<s>Instruction: Provide an answer to the question. Use the image to answer.\n"
                + "<fake_token_around_image><image><fake_token_around_image>Question: What animal is this? Answer:",
                promptSeen(p));
        assertEquals(direct(p, guide(Map.of("max_new_tokens", 20))).newText().strip(),
                idefics.ask(CAT, "What animal is this?"));
    }

    @Test
    void classifyPicksOneOfTheLabels() {
        List<String> labels = List.of("animals", "vegetables", "city landscape", "cars", "office");
        assertEquals("<s>Instruction: Classify the following image into a single category from the following list:"
                + " ['animals', 'vegetables', 'city landscape', 'cars', 'office'].\n<fake_token_around_image><image>"
                + "<fake_token_around_image>Category:", promptSeen(GuidePrompts.classify(CAT, labels)));
        assertTrue(labels.contains(idefics.classify(CAT, labels)));
    }

    @Test
    void rankScoresEveryLabelOnceBestFirst() {
        List<String> labels = List.of("animals", "vegetables", "city landscape", "cars", "office");
        List<LabelScore> ranked = idefics.rank(CAT, labels);
        assertEquals(labels.size(), ranked.size());
        assertEquals(new HashSet<>(labels), new HashSet<>(ranked.stream().map(LabelScore::label).toList()));
        for (int i = 1; i < ranked.size(); i++) {
            assertTrue(ranked.get(i - 1).logprob() >= ranked.get(i).logprob(), "sorted by score");
        }
        List<ContinuationScore> raw = idefics.score(GuidePrompts.classify(CAT, labels), labels);
        for (LabelScore s : ranked) {
            ContinuationScore r = raw.get(labels.indexOf(s.label()));
            assertEquals(r.total(), s.logprob(), 1e-9);
            assertTrue(s.logprob() < 0);
        }
    }

    @Test
    void describeAndStory() {
        List<PromptItem> p = GuidePrompts.describe(CAT, "Write a product description.", null);
        assertEquals("<s>Instruction: Write a product description.\n<fake_token_around_image><image>"
                + "<fake_token_around_image>", promptSeen(p));
        assertEquals(direct(p, guide(Map.of("max_new_tokens", 12))).newText().strip(),
                idefics.describe(CAT, "Write a product description.", Map.of("max_new_tokens", 12)));
        List<PromptItem> story = GuidePrompts.story(CAT);
        assertEquals("<s>Instruction: Use the image to write a story. \n<fake_token_around_image><image>"
                + "<fake_token_around_image>Story: \n", promptSeen(story));
        Completion beam = direct(story, guide(Map.of("num_beams", 2, "max_new_tokens", 12)));
        assertTrue(beam.score().isPresent(), "beam search scores its sequence");
        assertEquals(beam.newText().strip(), idefics.story(CAT, Map.of("max_new_tokens", 12)));
    }

    @Test
    void batchEqualsSingleRuns() {
        List<List<PromptItem>> prompts = List.of(
                GuidePrompts.promptedCaption(CAT, "This is an image of "),
                GuidePrompts.promptedCaption(ROCKET, "This is an image of "));
        List<String> answers = idefics.batch(prompts, Map.of("max_new_tokens", 8));
        assertEquals(2, answers.size());
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(direct(prompts.get(i), guide(Map.of("max_new_tokens", 8))).newText().strip(),
                    answers.get(i));
        }
    }

    @Test
    void chatKeepsHistoryAndStopsAtEndOfUtterance() {
        ChatSession chat = idefics.chat(Map.of("max_new_tokens", 6));
        String first = chat.send(List.of(PromptItem.text("What is in this image?"), PromptItem.image(CAT)));
        List<PromptItem> history = chat.history();
        String second = chat.send(List.of(PromptItem.text("And this one?"), PromptItem.image(ROCKET)));
        assertTrue(first.length() >= 0 && second.length() >= 0);
        String seen = promptSeenChat(chat.history());
        assertTrue(seen.startsWith("<s>User: What is in this image?<fake_token_around_image><image>"
                + "<fake_token_around_image><end_of_utterance>\nAssistant: " + first + "<end_of_utterance>\nUser:"
                + " And this one?<fake_token_around_image><image><fake_token_around_image><end_of_utterance>"
                + "\nAssistant: " + second + "<end_of_utterance>"), seen);
        assertEquals(history.size() + 4, chat.history().size(), "a turn adds user text, image, eou and answer");
        int[] eos = idefics.chatConfig().eosTokenId();
        assertEquals(32002, eos[0], "the guide's exit condition");
    }

    private static String promptSeenChat(List<PromptItem> history) {
        return idefics.encode(List.of(history), ProcessorOptions.DEFAULTS.withAddEndOfUtteranceToken(false))
                .promptStrings().get(0);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> idefics.classify(CAT, List.of()));
        assertThrows(IllegalArgumentException.class, () -> idefics.rank(CAT, List.of("a", "a")));
        assertThrows(IllegalArgumentException.class, () -> idefics.caption(CAT, Map.of("num_beams", 0)));
        assertThrows(IllegalArgumentException.class,
                () -> idefics.caption(CAT, Map.of("do_sample", true, "temperature", 0.0)));
    }
}
