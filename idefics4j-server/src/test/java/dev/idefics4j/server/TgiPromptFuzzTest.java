package dev.idefics4j.server;

import dev.idefics4j.testing.FuzzTarget;
import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.ParserFuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/** Mutated TGI prompts ({@code ![](url)} image syntax) split into parts or are refused with an ApiError. */
class TgiPromptFuzzTest {
    private static final FuzzTarget TARGET = FuzzTarget.of("tgi-prompt",
            bytes -> TgiPrompt.of(new String(bytes, StandardCharsets.UTF_8)), ApiError.class);

    static List<byte[]> seeds() {
        return List.of(
                MutationFuzzer.utf8("User:![](https://example.com/cat.png)What is this?<end_of_utterance>\nAssistant:"),
                MutationFuzzer.utf8("![a](data:image/png;base64,iVBORw0KGgo=)![]( http://x/a.png )[x](y)![]()"),
                MutationFuzzer.utf8("![[nested]](http://x/(a).png) ![](http://x/b.png \"title\")]]](("));
    }

    @MethodSource("seeds")
    @ParserFuzzTest
    void tgiPrompt(byte[] input) throws Exception {
        TARGET.accept(input);
    }

    @Test
    void mutatedPromptsSplitOrFailWithAnApiError() {
        MutationFuzzer.run(TARGET, seeds(), 5000);
    }
}
