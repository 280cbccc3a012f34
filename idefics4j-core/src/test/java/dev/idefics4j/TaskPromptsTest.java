package dev.idefics4j;

import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tasks' prompts per format: the guide's raw prompts, and one user turn through a checkpoint's chat template. */
class TaskPromptsTest {
    private static final ImageSource CAT = new ImageSource.File(TestData.fixture("images/cat_rgb_97x61.jpg"));
    private static final Path SMOLVLM = TestData.model("tiny-smolvlm");
    private static final TaskPrompts SMOLVLM_TASKS = TaskPrompts.chatTemplate(ChatTemplate.find(SMOLVLM).orElseThrow(),
            Tokenizers.load(SMOLVLM).specialTokens());

    @Test
    void theGuidesPromptsAreGuidePrompts() {
        TaskPrompts guide = TaskPrompts.guide();
        assertFalse(guide.chat());
        assertEquals(GuidePrompts.ask(CAT, "What is this?"), guide.ask(CAT, "What is this?"));
        assertEquals(GuidePrompts.classify(CAT, List.of("cat", "dog")), guide.classify(CAT, List.of("cat", "dog")));
        assertEquals(GuidePrompts.story(CAT), guide.story(CAT));
    }

    @Test
    void aTemplateTaskIsOneUserTurnAnsweredByTheAssistant() {
        assertTrue(SMOLVLM_TASKS.chat());
        assertEquals(List.of(PromptItem.text("<|im_start|>User:"), PromptItem.image(CAT),
                PromptItem.text("What is this?<end_of_utterance>\nAssistant:")), SMOLVLM_TASKS.ask(CAT, "What is this?"));
        assertEquals(List.of(PromptItem.text("<|im_start|>User:"), PromptItem.image(CAT),
                        PromptItem.text("Can you describe this image?<end_of_utterance>\nAssistant:"),
                        PromptItem.text(" This is an image of")),
                SMOLVLM_TASKS.promptedCaption(CAT, "This is an image of"));
        List<PromptItem> classify = SMOLVLM_TASKS.classify(CAT, List.of("cat", "it's a dog"));
        assertEquals(PromptItem.text("Classify the image into a single category from the following list: "
                + "['cat', \"it's a dog\"]. Answer with the category only.<end_of_utterance>\nAssistant:"),
                classify.getLast());
    }

    @Test
    void fewShotExamplesAreEarlierTurnsWithTheirAnswers() {
        ImageSource rocket = new ImageSource.File(TestData.fixture("images/rocket_rgb_200x320.jpg"));
        List<PromptItem> items = SMOLVLM_TASKS.fewShot(List.of(new FewShotExample(rocket, "A rocket.")), CAT,
                "What is this?");
        assertEquals(List.of(PromptItem.text("<|im_start|>User:"), PromptItem.image(rocket),
                PromptItem.text("What is this?<end_of_utterance>\nAssistant: A rocket.<end_of_utterance>\nUser:"),
                PromptItem.image(CAT), PromptItem.text("What is this?<end_of_utterance>\nAssistant:")), items);
        assertSame(CAT, ((PromptItem.Image) items.get(3)).source());
    }
}
