package dev.idefics4j;

import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.PromptItem;

import java.util.ArrayList;
import java.util.List;

/**
 * The prompts of Hugging Face's "Image tasks with IDEFICS" guide, as item lists. The tasks of {@link Idefics} are
 * these plus generation settings; {@code encode} shows exactly what the model sees.
 */
public final class GuidePrompts {
    private GuidePrompts() {
    }

    /** Unconditional captioning: the image alone. */
    public static List<PromptItem> caption(ImageSource image) {
        return List.of(PromptItem.image(image));
    }

    /** Prompted captioning: the image, then the start of the caption ("This is an image of "). */
    public static List<PromptItem> promptedCaption(ImageSource image, String prompt) {
        return List.of(PromptItem.image(image), PromptItem.text(prompt));
    }

    /** Few-shot: "User:", image, "{question}\nAssistant: {answer}\n" per example, then the query. */
    public static List<PromptItem> fewShot(List<FewShotExample> examples, ImageSource query, String question) {
        List<PromptItem> items = new ArrayList<>();
        for (FewShotExample ex : examples) {
            items.add(PromptItem.text("User:"));
            items.add(PromptItem.image(ex.image()));
            items.add(PromptItem.text(question + "\nAssistant: " + ex.answer() + "\n"));
        }
        items.add(PromptItem.text("User:"));
        items.add(PromptItem.image(query));
        items.add(PromptItem.text(question + "\nAssistant:"));
        return items;
    }

    /** Visual question answering. */
    public static List<PromptItem> ask(ImageSource image, String question) {
        return List.of(
                PromptItem.text("Instruction: Provide an answer to the question. Use the image to answer.\n"),
                PromptItem.image(image),
                PromptItem.text("Question: " + question + " Answer:"));
    }

    /** Classification: the categories listed as a Python list, as the guide formats them. */
    public static List<PromptItem> classify(ImageSource image, List<String> labels) {
        return List.of(
                PromptItem.text("Instruction: Classify the following image into a single category from the "
                        + "following list: " + pythonList(labels) + ".\n"),
                PromptItem.image(image),
                PromptItem.text("Category: "));
    }

    /** Image-guided generation: "Instruction: {instruction}\n", the image, then an optional answer prefix. */
    public static List<PromptItem> describe(ImageSource image, String instruction, String answerPrefix) {
        List<PromptItem> items = new ArrayList<>();
        items.add(PromptItem.text("Instruction: " + instruction + "\n"));
        items.add(PromptItem.image(image));
        if (answerPrefix != null && !answerPrefix.isEmpty()) {
            items.add(PromptItem.text(answerPrefix));
        }
        return items;
    }

    /** The guide's story prompt. */
    public static List<PromptItem> story(ImageSource image) {
        return describe(image, "Use the image to write a story. ", "Story: \n");
    }

    /** {@code str(list)} of Python: {@code ['a', 'b']}, with Python's quoting of embedded quotes. */
    static String pythonList(List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            String s = items.get(i);
            boolean useDouble = s.contains("'") && !s.contains("\"");
            char q = useDouble ? '"' : '\'';
            sb.append(q);
            for (char c : s.toCharArray()) {
                if (c == '\\' || (c == q)) {
                    sb.append('\\');
                }
                sb.append(c);
            }
            sb.append(q);
        }
        return sb.append(']').toString();
    }
}
