package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.processor.ChatTemplate;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.tokenizer.SpecialTokens;
import dev.idefics4j.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenAI messages through SmolVLM's chat template, as transformers renders the same conversation. */
class TemplateChatPromptTest {
    private static final Path SMOLVLM = TestData.model("tiny-smolvlm");
    private static final ChatTemplate TEMPLATE = ChatTemplate.find(SMOLVLM).orElseThrow();
    private static final SpecialTokens SPECIAL = Tokenizers.load(SMOLVLM).specialTokens();

    private static List<PromptPart> of(String messages) throws Exception {
        JsonNode json = Http.JSON.readTree(messages);
        return TemplateChatPrompt.of(ChatPrompt.messages(json), TEMPLATE, SPECIAL);
    }

    @Test
    void aConversationWithImagesIsTheTemplatesRendering() throws Exception {
        List<PromptPart> parts = of("[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", "
                + "\"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"a.jpg\"}}, {\"type\": \"text\", "
                + "\"text\": \"What is this?\"}]}, {\"role\": \"assistant\", \"content\": \"A cat.\"}, {\"role\": \"user\", "
                + "\"content\": [{\"type\": \"text\", \"text\": \"And this?\"}, {\"type\": \"image_url\", \"image_url\": "
                + "\"b.jpg\"}]}]");
        assertEquals(List.of(new PromptPart.Text("<|im_start|>System: Be brief.<end_of_utterance>\nUser:"),
                new PromptPart.Image("a.jpg"),
                new PromptPart.Text("What is this?<end_of_utterance>\nAssistant: A cat.<end_of_utterance>\nUser: And this?"),
                new PromptPart.Image("b.jpg"), new PromptPart.Text("<end_of_utterance>\nAssistant:")), parts);
    }

    @Test
    void refusalsNameTheMessage() {
        ApiError last = assertThrows(ApiError.class, () -> of("[{\"role\": \"user\", \"content\": \"x\"}, "
                + "{\"role\": \"assistant\", \"content\": \"y\"}]"));
        assertTrue(last.getMessage().contains("the last message"), last.getMessage());
        ApiError tool = assertThrows(ApiError.class, () -> of("[{\"role\": \"tool\", \"content\": \"x\"}]"));
        assertTrue(tool.getMessage().contains("messages[0]"), tool.getMessage());
        ApiError spelled = assertThrows(ApiError.class, () -> of("[{\"role\": \"user\", \"content\": "
                + "\"a <image> spelled out\"}]"));
        assertTrue(spelled.getMessage().contains("image"), spelled.getMessage());
    }
}
