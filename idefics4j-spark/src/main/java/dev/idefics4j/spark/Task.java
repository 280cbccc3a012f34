package dev.idefics4j.spark;

import dev.idefics4j.TaskPrompts;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.PromptItem;

import java.util.List;
import java.util.Locale;

/**
 * What a row asks for. The guide's tasks build the facade's prompt and take its {@code max_new_tokens} (those of
 * {@code Idefics.caption}, {@code ask}, {@code classify} and {@code describe}); {@code prompt} is a raw request
 * exactly as a {@code batch} line gives it.
 */
enum Task {
    CAPTION, ASK, CLASSIFY, DESCRIBE, PROMPT;

    /** The task a row names; without one, a row with a prompt is a raw request and any other a caption. */
    static Task of(String name, boolean hasPrompt) {
        if (name == null || name.isBlank()) {
            return hasPrompt ? PROMPT : CAPTION;
        }
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown task '" + name + "': caption, ask, classify, describe or prompt");
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The model's prompt for this image task, in its family's format; {@code text} is the caption's start, the
     * question or instruction.
     */
    List<PromptItem> prompt(TaskPrompts prompts, ImageSource image, String text, List<String> labels) {
        return switch (this) {
            case CAPTION -> hasText(text) ? prompts.promptedCaption(image, text) : prompts.caption(image);
            case ASK -> prompts.ask(image, require(text, "a question"));
            case CLASSIFY -> prompts.classify(image, labels);
            case DESCRIBE -> prompts.describe(image, require(text, "an instruction"), null);
            case PROMPT -> throw new IllegalStateException("a raw prompt carries its own items");
        };
    }

    /** The facade's {@code max_new_tokens} for this task. */
    int maxNewTokens(String text) {
        return switch (this) {
            case CAPTION -> hasText(text) ? 30 : 10;
            case ASK -> 20;
            case CLASSIFY -> 6;
            case DESCRIBE -> 100;
            case PROMPT -> throw new IllegalStateException("a raw prompt has no task defaults");
        };
    }

    private static boolean hasText(String text) {
        return text != null && !text.isEmpty();
    }

    private String require(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("task " + label() + " needs " + what + " in the text column");
        }
        return text;
    }
}
