package dev.idefics4j;

import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.PromptItem;

import java.util.List;

/** {@link GuidePrompts} as a family's {@link TaskPrompts}: the prompts IDEFICS v1 was shown in the guide. */
enum GuideTasks implements TaskPrompts {
    INSTANCE;

    @Override
    public List<PromptItem> caption(ImageSource image) {
        return GuidePrompts.caption(image);
    }

    @Override
    public List<PromptItem> promptedCaption(ImageSource image, String prompt) {
        return GuidePrompts.promptedCaption(image, prompt);
    }

    @Override
    public List<PromptItem> fewShot(List<FewShotExample> examples, ImageSource query, String question) {
        return GuidePrompts.fewShot(examples, query, question);
    }

    @Override
    public List<PromptItem> ask(ImageSource image, String question) {
        return GuidePrompts.ask(image, question);
    }

    @Override
    public List<PromptItem> classify(ImageSource image, List<String> labels) {
        return GuidePrompts.classify(image, labels);
    }

    @Override
    public List<PromptItem> describe(ImageSource image, String instruction, String answerPrefix) {
        return GuidePrompts.describe(image, instruction, answerPrefix);
    }

    @Override
    public List<PromptItem> story(ImageSource image) {
        return GuidePrompts.story(image);
    }

    @Override
    public boolean chat() {
        return false;
    }
}
