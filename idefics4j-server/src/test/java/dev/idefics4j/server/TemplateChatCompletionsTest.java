package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code /v1/chat/completions} on a checkpoint with a chat template (the bundled tiny SmolVLM): the messages are
 * rendered by the template and the answer is decoded by the processor (Idefics3's tile tags folded into
 * {@code <image>}), so the server's content is what the facade's {@link dev.idefics4j.ChatSession} answers for the
 * same turn, whole and streamed.
 */
class TemplateChatCompletionsTest {
    private static final Path IMAGE = TestData.fixture("images/cat_rgb_97x61.jpg");
    private static final String QUESTION = "What is in this image?";
    private static final int MAX_TOKENS = 12;
    private static Idefics idefics;
    private static IdeficsServer server;

    @BeforeAll
    static void start() {
        idefics = Idefics.load(TestData.model("tiny-smolvlm"));
        server = IdeficsServer.start(idefics, ServerConfig.builder().port(0).build());
    }

    @AfterAll
    static void stop() {
        server.close();
        idefics.close();
    }

    private static String body(boolean stream) throws IOException {
        String url = "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(IMAGE));
        Map<String, Object> message = Map.of("role", "user", "content", List.of(
                Map.of("type", "image_url", "image_url", Map.of("url", url)),
                Map.of("type", "text", "text", QUESTION)));
        return Http.JSON.writeValueAsString(Map.of("messages", List.of(message), "max_tokens", MAX_TOKENS,
                "temperature", 0, "stream", stream));
    }

    /** The facade's answer to the same turn: the image, then the question, greedy, as many new tokens. */
    private static String facadeAnswer() {
        return idefics.chat(Map.of("do_sample", false, "max_new_tokens", MAX_TOKENS))
                .send(List.of(PromptItem.image(IMAGE.toString()), PromptItem.text(QUESTION)));
    }

    @Test
    void answerEqualsChatSession() throws IOException {
        Http.Response r = Http.post(server.port(), "/v1/chat/completions", body(false));
        assertEquals(200, r.status(), r.body());
        String content = r.json().get("choices").get(0).get("message").get("content").asText();
        assertEquals(facadeAnswer(), content.strip());
    }

    @Test
    void streamedAnswerEqualsChatSession() throws IOException {
        Http.Response r = Http.post(server.port(), "/v1/chat/completions", body(true));
        assertEquals(200, r.status(), r.body());
        StringBuilder content = new StringBuilder();
        for (String event : r.events()) {
            if (event.equals("[DONE]")) {
                continue;
            }
            JsonNode delta = Http.JSON.readTree(event).get("choices").get(0).get("delta");
            if (delta != null && delta.has("content")) {
                content.append(delta.get("content").asText());
            }
        }
        assertEquals(facadeAnswer(), content.toString().strip());
    }
}
