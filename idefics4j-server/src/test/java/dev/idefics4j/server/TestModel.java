package dev.idefics4j.server;

import dev.idefics4j.Idefics;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;

import java.util.List;
import java.util.Map;

/**
 * The bundled tiny random checkpoint (instruct tokenizer; noise, but deterministic), loaded once per test JVM, and
 * what the facade's {@code generate} answers for a prompt: the reference the server's answers must equal.
 */
final class TestModel {
    private static Idefics idefics;

    private TestModel() {
    }

    static synchronized Idefics get() {
        if (idefics == null) {
            idefics = Idefics.load(TestData.model("tiny"));
        }
        return idefics;
    }

    /** The new text greedy search gives for {@code prompt} with the server's chat settings, as the facade runs it. */
    static String greedy(List<PromptItem> prompt, int maxNewTokens) {
        return generate(prompt, Map.of("do_sample", false, "max_new_tokens", maxNewTokens));
    }

    /** The new text the facade gives for {@code prompt} with the server's chat settings and {@code overrides}. */
    static String generate(List<PromptItem> prompt, Map<String, Object> overrides) {
        Idefics m = get();
        ModelInputs in = m.processor().process(List.of(prompt),
                ProcessorOptions.DEFAULTS.withAddEndOfUtteranceToken(false));
        GenerationConfig config = m.chatConfig().withOverrides(overrides);
        return m.generate(in, config, null).getFirst().newText();
    }

    /** A one-turn chat in the guide's form: "User: text", the image, end of utterance, "\nAssistant:". */
    static List<PromptItem> chatTurn(String text, String imageFixture) {
        PromptItem image = PromptItem.image(TestData.fixture("images/" + imageFixture).toString());
        return List.of(PromptItem.text("User: " + text), image, PromptItem.text("<end_of_utterance>"),
                PromptItem.text("\nAssistant:"));
    }
}
