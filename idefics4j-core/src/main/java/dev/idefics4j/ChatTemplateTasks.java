package dev.idefics4j;

import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.ChatMessage;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.tokenizer.SpecialTokens;

import java.util.ArrayList;
import java.util.List;

/**
 * The guide's tasks for a checkpoint with a chat template: each is a user turn (the image, then the instruction, as
 * the Idefics3 and SmolVLM model cards write it) rendered with the template's generation prompt, so the model
 * answers as the assistant. The instructions keep the guide's meaning; a task's answer prefix (a prompted caption's
 * start, the story's "Story:") follows the generation prompt, where the guide put it after the image.
 */
final class ChatTemplateTasks implements TaskPrompts {
    static final String CAPTION = "Can you describe this image?";
    static final String STORY = "Use the image to write a story.";

    private final ChatTemplate template;
    private final SpecialTokens specialTokens;

    ChatTemplateTasks(ChatTemplate template, SpecialTokens specialTokens) {
        this.template = template;
        this.specialTokens = specialTokens;
    }

    @Override
    public List<PromptItem> caption(ImageSource image) {
        return answer(List.of(user(image, CAPTION)), null);
    }

    @Override
    public List<PromptItem> promptedCaption(ImageSource image, String prompt) {
        return answer(List.of(user(image, CAPTION)), prompt);
    }

    @Override
    public List<PromptItem> fewShot(List<FewShotExample> examples, ImageSource query, String question) {
        List<ChatMessage> conversation = new ArrayList<>();
        for (FewShotExample e : examples) {
            conversation.add(user(e.image(), question));
            conversation.add(ChatMessage.assistant(e.answer()));
        }
        conversation.add(user(query, question));
        return answer(conversation, null);
    }

    @Override
    public List<PromptItem> ask(ImageSource image, String question) {
        return answer(List.of(user(image, question)), null);
    }

    @Override
    public List<PromptItem> classify(ImageSource image, List<String> labels) {
        return answer(List.of(user(image, "Classify the image into a single category from the following list: "
                + GuidePrompts.pythonList(labels) + ". Answer with the category only.")), null);
    }

    @Override
    public List<PromptItem> describe(ImageSource image, String instruction, String answerPrefix) {
        return answer(List.of(user(image, instruction)), answerPrefix);
    }

    @Override
    public List<PromptItem> story(ImageSource image) {
        return answer(List.of(user(image, STORY)), null);
    }

    @Override
    public boolean chat() {
        return true;
    }

    private static ChatMessage user(ImageSource image, String text) {
        return ChatMessage.user(List.of(PromptItem.image(image), PromptItem.text(text)));
    }

    /** The conversation rendered with the generation prompt, then the start of the answer when given. */
    private List<PromptItem> answer(List<ChatMessage> conversation, String answerPrefix) {
        List<PromptItem> items = new ArrayList<>(template.prompt(conversation, true, specialTokens));
        if (answerPrefix != null && !answerPrefix.isEmpty()) {
            items.add(PromptItem.text(" " + answerPrefix));
        }
        return items;
    }
}
