package dev.idefics4j.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ToolChoice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a request may not do, and the LangChain4j exception that says so with the reason: images from refused
 * addresses or outside the media folder, unreadable images, limits, parameters and message kinds IDEFICS has no
 * equivalent for. What the builder opens (an address range, a media folder) then works.
 */
class RefusalsTest {
    private static final ChatRequestParameters FOUR = ChatRequestParameters.builder().maxOutputTokens(4).build();
    private static ImageHost images;
    private static IdeficsChatModel model;

    @BeforeAll
    static void start() {
        images = new ImageHost();
        model = IdeficsChatModel.builder().idefics(Reference.get()).defaultRequestParameters(FOUR).maxInputTokens(200)
                .maxImages(2).build();
    }

    @AfterAll
    static void stop() {
        model.close();
        images.close();
    }

    private static <T extends Throwable> String refused(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "\"" + f + "\" not in: " + e.getMessage());
        }
        return e.getMessage();
    }

    private static UserMessage ask(ImageContent image) {
        return UserMessage.from(TextContent.from("What is in this image?"), image);
    }

    private static ChatRequest request(ChatRequestParameters parameters, ChatMessage... messages) {
        return ChatRequest.builder().messages(messages).parameters(parameters).build();
    }

    @Test
    void imageUrlsFollowTheServersAddressPolicy() {
        String url = images.url("cat_rgb_97x61.jpg");
        refused(InvalidRequestException.class, () -> model.chat(ask(ImageContent.from(url))),
                "cannot use an image", "refused to fetch from 127.0.0.1", "loopback", "unless allowlisted");
        try (IdeficsChatModel open = IdeficsChatModel.builder().idefics(Reference.get()).defaultRequestParameters(FOUR)
                .allow("127.0.0.1/32").build()) {
            assertEquals(Reference.answer(Reference.turn("What is in this image?", "cat_rgb_97x61.jpg"),
                    Map.of("max_new_tokens", 4)), open.chat(ask(ImageContent.from(url))).aiMessage().text());
        }
    }

    @Test
    void localFilesOnlyFromTheMediaFolder() {
        String file = Reference.image("cat_small_20x16.png").toUri().toString();
        refused(InvalidRequestException.class, () -> model.chat(ask(ImageContent.from(file))),
                "local files are not served");
        try (IdeficsChatModel media = IdeficsChatModel.builder().idefics(Reference.get())
                .defaultRequestParameters(FOUR).mediaDir(Reference.image("cat_small_20x16.png").getParent())
                .build()) {
            assertEquals(Reference.answer(Reference.turn("What is in this image?", "cat_small_20x16.png"),
                    Map.of("max_new_tokens", 4)), media.chat(ask(ImageContent.from(file))).aiMessage().text());
            refused(InvalidRequestException.class, () -> media.chat(ask(ImageContent.from("file:///etc/hostname"))),
                    "outside the media folder");
        }
    }

    @Test
    void anUnreadableImage() {
        String notAnImage = Base64.getEncoder().encodeToString("plain text".getBytes(StandardCharsets.UTF_8));
        refused(InvalidRequestException.class, () -> model.chat(ask(ImageContent.from(notAnImage, "image/png"))),
                "cannot use an image");
    }

    @Test
    void limits() {
        refused(InvalidRequestException.class, () -> model.chat(UserMessage.from("word ".repeat(300))),
                "more than the builder's limit of 200 input tokens", "maxInputTokens(...)");
        refused(InvalidRequestException.class, () -> model.chat(request(ChatRequestParameters.builder()
                .maxOutputTokens(5000).build(), UserMessage.from("Hi"))), "maxOutputTokens is 5000");
        ImageContent cat = Reference.base64("cat_small_20x16.png", "image/png");
        refused(InvalidRequestException.class, () -> model.chat(UserMessage.from(cat, cat, cat)),
                "3 images, more than the limit of 2", "maxImages(...)");
    }

    @Test
    void parametersWithoutAnEquivalent() {
        UserMessage hi = UserMessage.from("Hi");
        refused(UnsupportedFeatureException.class, () -> model.chat(request(ChatRequestParameters.builder()
                .frequencyPenalty(0.5).build(), hi)), "frequencyPenalty", "repetitionPenalty");
        refused(UnsupportedFeatureException.class, () -> model.chat(request(ChatRequestParameters.builder()
                .presencePenalty(0.5).build(), hi)), "presencePenalty");
        refused(UnsupportedFeatureException.class, () -> model.chat(request(ChatRequestParameters.builder()
                .toolSpecifications(ToolSpecification.builder().name("weather").build()).build(), hi)), "tools");
        refused(UnsupportedFeatureException.class, () -> model.chat(request(ChatRequestParameters.builder()
                .toolChoice(ToolChoice.REQUIRED).build(), hi)), "toolChoice");
        refused(UnsupportedFeatureException.class, () -> model.chat(request(ChatRequestParameters.builder()
                .responseFormat(ResponseFormat.JSON).build(), hi)), "response format JSON");
        refused(InvalidRequestException.class, () -> model.chat(request(ChatRequestParameters.builder()
                .temperature(-1.0).build(), hi)), "temperature");
        refused(InvalidRequestException.class, () -> model.chat(request(IdeficsChatRequestParameters.builder()
                .repetitionPenalty(-2.0).build(), hi)), "repetition_penalty");
        // Off is fine.
        model.chat(request(ChatRequestParameters.builder().frequencyPenalty(0.0).presencePenalty(0.0).build(), hi));
    }

    @Test
    void messagesWithoutAnEquivalent() {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("1").name("weather").arguments("{}").build();
        refused(UnsupportedFeatureException.class, () -> model.chat(List.of(UserMessage.from("Hi"),
                AiMessage.from(call), ToolExecutionResultMessage.from(call, "sunny"))), "tool executions");
        refused(UnsupportedFeatureException.class, () -> model.chat(List.of(UserMessage.from("Hi"),
                ToolExecutionResultMessage.from(call, "sunny"))), "TOOL_EXECUTION_RESULT");
        refused(UnsupportedFeatureException.class, () -> model.chat(UserMessage.from(TextContent.from("Hear this"),
                AudioContent.from("AAECAw==", "audio/wav"))), "AUDIO", "text and images");
        refused(InvalidRequestException.class, () -> model.chat(List.of(UserMessage.from("Hi"),
                AiMessage.from("Hello"))), "must be from the user");
    }

    @Test
    void builderAndLifecycle() {
        refused(IllegalArgumentException.class, () -> IdeficsChatModel.builder().build(), "no model given");
        refused(IllegalArgumentException.class, () -> IdeficsChatModel.builder().idefics(Reference.get()).threads(2)
                .build(), "already loaded");
        refused(UnsupportedFeatureException.class, () -> IdeficsChatModel.builder().idefics(Reference.get())
                .defaultRequestParameters(ChatRequestParameters.builder().frequencyPenalty(1.0).build()).build(),
                "frequencyPenalty");
        IdeficsChatModel closed = IdeficsChatModel.builder().idefics(Reference.get()).build();
        closed.close();
        refused(LangChain4jException.class, () -> closed.chat(UserMessage.from("Hi")), "closed");
        // Closing a model built on a shared Idefics leaves it open for the others.
        assertEquals(Reference.answer(List.of(dev.idefics4j.processor.PromptItem.text("User: Hi<end_of_utterance>"),
                dev.idefics4j.processor.PromptItem.text("\nAssistant:")), Map.of("max_new_tokens", 4)),
                model.chat(UserMessage.from("Hi")).aiMessage().text());
    }
}
