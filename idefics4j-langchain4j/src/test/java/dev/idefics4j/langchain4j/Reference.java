package dev.idefics4j.langchain4j;

import dev.idefics4j.Completion;
import dev.idefics4j.Idefics;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.testing.TinyModel;
import dev.langchain4j.data.message.ImageContent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The bundled tiny random checkpoint (instruct tokenizer; noise, but deterministic), shared with the other tests of
 * this JVM, and what the facade answers for a prompt: the reference the LangChain4j models must equal.
 */
final class Reference {
    private Reference() {
    }

    static Idefics get() {
        return TinyModel.get();
    }

    static Path image(String name) {
        return TestData.fixture("images/" + name);
    }

    /** A fixture image as LangChain4j's base64 image content. */
    static ImageContent base64(String name, String mimeType) {
        try {
            return ImageContent.from(Base64.getEncoder().encodeToString(Files.readAllBytes(image(name))), mimeType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The facade's {@code generate} on {@code prompt} (chat items in the guide's form) with the chat settings of
     * {@link Idefics#chatConfig()} and {@code overrides}, as the chat route runs it.
     */
    static Completion generate(List<PromptItem> prompt, Map<String, ?> overrides) {
        Idefics m = get();
        ModelInputs in = m.processor().process(List.of(prompt),
                ProcessorOptions.DEFAULTS.withAddEndOfUtteranceToken(false));
        return m.generate(in, m.chatConfig().withOverrides(overrides), null).getFirst();
    }

    /** The answer a chat gets: the facade's new text without the space the model writes after "Assistant:". */
    static String answer(List<PromptItem> prompt, Map<String, ?> overrides) {
        return generate(prompt, overrides).newText().stripLeading();
    }

    /** Prompt tokens of {@code prompt}, images counted as their tokens. */
    static int promptTokens(List<PromptItem> prompt) {
        return get().processor().process(List.of(prompt), ProcessorOptions.DEFAULTS.withAddEndOfUtteranceToken(false))
                .sequenceLength();
    }

    /** One user turn of text then an image, in the guide's chat form. */
    static List<PromptItem> turn(String text, String image) {
        return List.of(PromptItem.text("User: " + text), PromptItem.image(image(image).toString()),
                PromptItem.text("<end_of_utterance>"), PromptItem.text("\nAssistant:"));
    }
}
