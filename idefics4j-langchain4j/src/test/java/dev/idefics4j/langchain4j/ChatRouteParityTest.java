package dev.idefics4j.langchain4j;

import dev.idefics4j.server.ChatRoutePrompt;
import dev.idefics4j.server.PromptPart;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A conversation given as LangChain4j messages becomes the prompt, and the tokens, that the server's
 * {@code /v1/chat/completions} builds from the same conversation as OpenAI JSON.
 */
class ChatRouteParityTest {
    private static ChatRoutePrompt route;
    private static ImageContent cat;
    private static String catUrl;

    @BeforeAll
    static void start() {
        route = new ChatRoutePrompt(Reference.get());
        cat = Reference.base64("cat_small_20x16.png", "image/png");
        catUrl = "data:image/png;base64," + cat.image().base64Data();
    }

    @AfterAll
    static void stop() {
        route.close();
    }

    private static void same(String json, ChatMessage... messages) throws Exception {
        List<PromptPart> fromJson = route.fromJson(json);
        List<PromptPart> fromLangChain4j = route.fromMessages(ChatMessages.of(List.of(messages)));
        assertEquals(fromJson, fromLangChain4j);
        assertArrayEquals(route.tokens(fromJson), route.tokens(fromLangChain4j));
    }

    @Test
    void oneTurnWithAnImage() throws Exception {
        same("""
                [{"role": "user", "content": [{"type": "text", "text": "What is in this image?"},
                  {"type": "image_url", "image_url": {"url": "%s"}}]}]""".formatted(catUrl),
                UserMessage.from(TextContent.from("What is in this image?"), cat));
    }

    @Test
    void systemMessagesHistoryAndAnImageFirst() throws Exception {
        same("""
                [{"role": "system", "content": "Be brief."}, {"role": "system", "content": "No lists."},
                 {"role": "user", "content": [{"type": "text", "text": "What is it?"},
                                              {"type": "image_url", "image_url": {"url": "%s"}}]},
                 {"role": "assistant", "content": "A cat."},
                 {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "%s"}},
                                              {"type": "text", "text": "And"}, {"type": "text", "text": "this?"}]}]
                """.formatted(catUrl, catUrl),
                SystemMessage.from("Be brief."), SystemMessage.from("No lists."),
                UserMessage.from(TextContent.from("What is it?"), cat), AiMessage.from("A cat."),
                UserMessage.from(cat, TextContent.from("And"), TextContent.from("this?")));
    }

    @Test
    void textOnlyAndImageUrls() throws Exception {
        same("""
                [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi."},
                 {"role": "user", "content": "Bye"}]""",
                UserMessage.from("Hello"), AiMessage.from("Hi."), UserMessage.from("Bye"));
        // Image URLs are passed on as the references the server resolves (not fetched here).
        assertEquals(route.fromJson("""
                        [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://a/1.png"}},
                                                      {"type": "text", "text": "Caption it."}]}]"""),
                route.fromMessages(ChatMessages.of(List.of(UserMessage.from(ImageContent.from("https://a/1.png"),
                        TextContent.from("Caption it."))))));
    }
}
