package dev.idefics4j;

import dev.idefics4j.processor.ChatMessage;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A conversation with an instruct model, in the checkpoint's chat template where it has one (Idefics2, Idefics3,
 * SmolVLM), else in the IDEFICS chat format the guide uses:
 * {@code User: …<end_of_utterance>\nAssistant: …<end_of_utterance>\nUser: …}. Each turn may carry images anywhere;
 * the history is kept and sent again with every turn; the answer stops at the end of the assistant's turn.
 */
public final class ChatSession {
    private final Idefics idefics;
    /** The guide's format: the prompt so far. */
    private final List<PromptItem> history = new ArrayList<>();
    /** A template's format: the messages so far. */
    private final List<ChatMessage> conversation = new ArrayList<>();
    private final Map<String, Object> generation;

    ChatSession(Idefics idefics, Map<String, Object> generation) {
        this.idefics = idefics;
        this.generation = generation;
    }

    /** Sends a user turn (text and images in any order) and returns the assistant's answer. */
    public String send(List<PromptItem> userTurn) {
        return send(userTurn, null);
    }

    /** As {@link #send(List)}, streaming the answer's text to {@code onText} as it is generated. */
    public String send(List<PromptItem> userTurn, Consumer<String> onText) {
        Optional<ChatTemplate> template = idefics.chatTemplate();
        if (template.isPresent()) {
            List<ChatMessage> next = new ArrayList<>(conversation);
            next.add(ChatMessage.user(userTurn));
            List<PromptItem> prompt = template.get().prompt(next, true, idefics.tokenizer().specialTokens());
            String answer = idefics.generateOne(prompt, ProcessorOptions.DEFAULTS,
                    idefics.chatConfig().withOverrides(generation), onText).newText().strip();
            conversation.clear();
            conversation.addAll(next);
            conversation.add(ChatMessage.assistant(answer));
            return answer;
        }
        List<PromptItem> prompt = new ArrayList<>(history);
        prompt.addAll(userItems(history.isEmpty(), userTurn));
        prompt.add(PromptItem.text("\nAssistant:"));
        Completion c = idefics.generateOne(prompt, ProcessorOptions.DEFAULTS.withAddEndOfUtteranceToken(false),
                idefics.chatConfig().withOverrides(generation), onText);
        String answer = c.newText().strip();
        history.clear();
        history.addAll(prompt.subList(0, prompt.size() - 1));
        history.add(PromptItem.text("\nAssistant: " + answer + "<end_of_utterance>"));
        return answer;
    }

    /** The conversation so far as prompt items (what the next turn will be appended to). */
    public List<PromptItem> history() {
        Optional<ChatTemplate> template = idefics.chatTemplate();
        if (template.isPresent()) {
            return conversation.isEmpty() ? List.of()
                    : template.get().prompt(conversation, false, idefics.tokenizer().specialTokens());
        }
        return List.copyOf(history);
    }

    public void reset() {
        history.clear();
        conversation.clear();
    }

    /** "User:" (or "\nUser:" after the first turn), the turn's items, then {@code <end_of_utterance>}. */
    private static List<PromptItem> userItems(boolean first, List<PromptItem> turn) {
        List<PromptItem> items = new ArrayList<>();
        boolean startsWithText = !turn.isEmpty() && turn.get(0) instanceof PromptItem.Text;
        String opener = first ? "User:" : "\nUser:";
        if (startsWithText) {
            items.add(PromptItem.text(opener + " " + ((PromptItem.Text) turn.get(0)).text()));
            items.addAll(turn.subList(1, turn.size()));
        } else {
            items.add(PromptItem.text(opener));
            items.addAll(turn);
        }
        PromptItem last = items.get(items.size() - 1);
        if (last instanceof PromptItem.Text(String text)) {
            items.set(items.size() - 1, PromptItem.text(text + "<end_of_utterance>"));
        } else {
            items.add(PromptItem.text("<end_of_utterance>"));
        }
        return items;
    }
}
