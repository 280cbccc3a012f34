package dev.idefics4j;

import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.tokenizer.SpecialTokens;

import java.util.List;

/**
 * The prompts of the guide's tasks in a model family's own format: IDEFICS v1 takes the guide's raw prompts
 * ({@link GuidePrompts}); a checkpoint with a chat template (Idefics2, Idefics3, SmolVLM) takes each task as a user
 * message rendered by its template ({@link ChatTemplateTasks}). The facade's tasks, the CLI's and the server's are
 * these prompts plus generation settings.
 */
public interface TaskPrompts {
    /** Unconditional captioning. */
    List<PromptItem> caption(ImageSource image);

    /** Captioning that continues {@code prompt} ("This is an image of "). */
    List<PromptItem> promptedCaption(ImageSource image, String prompt);

    /** Examples of image and answer to {@code question}, then the query image. */
    List<PromptItem> fewShot(List<FewShotExample> examples, ImageSource query, String question);

    /** Visual question answering. */
    List<PromptItem> ask(ImageSource image, String question);

    /** Classification into one of {@code labels}. */
    List<PromptItem> classify(ImageSource image, List<String> labels);

    /** Image-guided writing following {@code instruction}; {@code answerPrefix} (may be null) starts the answer. */
    List<PromptItem> describe(ImageSource image, String instruction, String answerPrefix);

    /** The guide's story. */
    List<PromptItem> story(ImageSource image);

    /** Whether the prompts are answers in a chat format, which end at the end of the assistant's turn. */
    boolean chat();

    /** The guide's raw prompts, as IDEFICS v1 takes them. */
    static TaskPrompts guide() {
        return GuideTasks.INSTANCE;
    }

    /** Each task as one user turn of {@code template}'s conversation, with its generation prompt. */
    static TaskPrompts chatTemplate(ChatTemplate template, SpecialTokens specialTokens) {
        return new ChatTemplateTasks(template, specialTokens);
    }
}
