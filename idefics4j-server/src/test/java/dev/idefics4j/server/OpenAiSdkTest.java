package dev.idefics4j.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official OpenAI Java SDK against the server: a chat with an image by URL (from a local image server,
 * allowlisted) and by data URL, streaming and not, gets the same text as the facade's {@code generate} for the same
 * prompt in the IDEFICS instruct format.
 */
class OpenAiSdkTest {
    private static final int MAX_TOKENS = 12;
    private static ImageHost images;
    private static IdeficsServer server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        images = new ImageHost();
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).modelName("tiny")
                .allow("127.0.0.1/32").build());
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
        images.close();
    }

    private static ChatCompletionCreateParams chat(String text, String imageUrl) {
        return ChatCompletionCreateParams.builder().model("tiny").maxCompletionTokens(MAX_TOKENS).temperature(0.0)
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(text).build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(imageUrl).build())
                                .build())))
                .build();
    }

    private static String expected(String text, String image) {
        return TestModel.greedy(TestModel.chatTurn(text, image), MAX_TOKENS).stripLeading();
    }

    @Test
    void imageByUrl() {
        ChatCompletion c = client.chat().completions().create(chat("What is in this image?",
                images.url("/img/cat_rgb_97x61.jpg")));
        String want = expected("What is in this image?", "cat_rgb_97x61.jpg");
        assertFalse(want.isEmpty(), "the tiny model says something");
        assertEquals(want, c.choices().getFirst().message().content().orElseThrow());
        assertEquals("tiny", c.model());
        long completion = c.usage().orElseThrow().completionTokens();
        assertTrue(completion >= 1 && completion <= MAX_TOKENS);
        assertEquals(c.usage().orElseThrow().promptTokens() + completion, c.usage().orElseThrow().totalTokens());
    }

    @Test
    void imageByDataUrlStreaming() throws Exception {
        byte[] png = Files.readAllBytes(TestData.fixture("images/astronaut_rgba_64x80.png"));
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        ChatCompletionCreateParams params = chat("Describe it.", dataUrl).toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        StringBuilder text = new StringBuilder();
        StringBuilder finish = new StringBuilder();
        long[] usage = {-1};
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> {
                    choice.delta().content().ifPresent(text::append);
                    choice.finishReason().ifPresent(r -> finish.append(r.asString()));
                });
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        assertEquals(expected("Describe it.", "astronaut_rgba_64x80.png"), text.toString());
        assertTrue(finish.toString().equals("stop") || finish.toString().equals("length"), finish.toString());
        assertTrue(usage[0] >= 1, "usage comes last with include_usage");
    }

    @Test
    void streamingAndNotAgree() {
        ChatCompletionCreateParams params = chat("What is in this image?", images.url("/img/rocket_rgb_200x320.jpg"));
        String whole = client.chat().completions().create(params).choices().getFirst().message().content()
                .orElseThrow();
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice ->
                    choice.delta().content().ifPresent(streamed::append)));
        }
        assertEquals(whole, streamed.toString());
        assertEquals(expected("What is in this image?", "rocket_rgb_200x320.jpg"), whole);
    }

    @Test
    void stringContentSystemAndHistory() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("tiny")
                .maxCompletionTokens(MAX_TOKENS).temperature(0.0)
                .addSystemMessage("Answer briefly.")
                .addUserMessage("Hello")
                .addAssistantMessage("Hi.")
                .addUserMessage("And now?")
                .build();
        String got = client.chat().completions().create(params).choices().getFirst().message().content()
                .orElseThrow();
        String want = TestModel.greedy(List.of(
                dev.idefics4j.processor.PromptItem.text("Answer briefly.\n\nUser: Hello<end_of_utterance>"),
                dev.idefics4j.processor.PromptItem.text("\nAssistant: Hi.<end_of_utterance>"),
                dev.idefics4j.processor.PromptItem.text("\nUser: And now?<end_of_utterance>"),
                dev.idefics4j.processor.PromptItem.text("\nAssistant:")), MAX_TOKENS).stripLeading();
        assertEquals(want, got);
    }

    @Test
    void modelsListsTheModel() {
        assertEquals("tiny", client.models().list().data().getFirst().id());
    }
}
