package dev.idefics4j.server;

import dev.idefics4j.testing.MutationFuzzer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mutated TGI prompts ({@code ![](url)} image syntax) split into parts or are refused with an ApiError. */
class TgiPromptFuzzTest {
    @Test
    void mutatedPromptsSplitOrFailWithAnApiError() {
        List<byte[]> seeds = List.of(
                MutationFuzzer.utf8("User:![](https://example.com/cat.png)What is this?<end_of_utterance>\nAssistant:"),
                MutationFuzzer.utf8("![a](data:image/png;base64,iVBORw0KGgo=)![]( http://x/a.png )[x](y)![]()"),
                MutationFuzzer.utf8("![[nested]](http://x/(a).png) ![](http://x/b.png \"title\")]]](("));
        MutationFuzzer.of("tgi-prompt", seeds, ApiError.class).run(5000,
                bytes -> TgiPrompt.of(new String(bytes, StandardCharsets.UTF_8)));
    }
}
