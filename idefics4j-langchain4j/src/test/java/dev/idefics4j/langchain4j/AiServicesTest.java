package dev.idefics4j.langchain4j;

import dev.idefics4j.processor.PromptItem;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** An AI service (LangChain4j's {@code AiServices}) whose method takes an image, blocking and streaming. */
class AiServicesTest {
    interface Describer {
        @SystemMessage("Be brief.")
        @UserMessage("What is in this image?")
        String describe(ImageContent image);

        @UserMessage("What is in this image?")
        TokenStream stream(ImageContent image);
    }

    private static final ChatRequestParameters TEN = ChatRequestParameters.builder().maxOutputTokens(10).build();

    @Test
    void aServiceMethodWithAnImageParameter() throws Exception {
        ImageContent cat = Reference.base64("cat_rgb_97x61.jpg", "image/jpeg");
        try (IdeficsChatModel model = IdeficsChatModel.builder().idefics(Reference.get())
                .defaultRequestParameters(TEN).build();
             IdeficsStreamingChatModel streaming = IdeficsStreamingChatModel.builder().idefics(Reference.get())
                     .defaultRequestParameters(TEN).build()) {
            Describer describer = AiServices.builder(Describer.class).chatModel(model).streamingChatModel(streaming)
                    .build();
            String catImage = Reference.image("cat_rgb_97x61.jpg").toString();
            assertEquals(Reference.answer(List.of(PromptItem.text("Be brief.\n\nUser: What is in this image?"),
                    PromptItem.image(catImage), PromptItem.text("<end_of_utterance>"),
                    PromptItem.text("\nAssistant:")), Map.of("max_new_tokens", 10)), describer.describe(cat));

            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            StringBuilder pieces = new StringBuilder();
            describer.stream(cat).onPartialResponse(pieces::append).onCompleteResponse(done::complete)
                    .onError(done::completeExceptionally).start();
            String want = Reference.answer(Reference.turn("What is in this image?", "cat_rgb_97x61.jpg"),
                    Map.of("max_new_tokens", 10));
            assertEquals(want, done.get(30, TimeUnit.SECONDS).aiMessage().text());
            assertEquals(want, pieces.toString());
        }
    }
}
