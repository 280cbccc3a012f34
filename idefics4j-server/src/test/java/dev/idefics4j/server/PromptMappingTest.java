package dev.idefics4j.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenAI messages in the IDEFICS instruct format, TGI's markdown images, and OpenAI's stop-string trimming. */
class PromptMappingTest {
    private static List<PromptPart> chat(String messagesJson) {
        return ChatPrompt.of(Http.parse(messagesJson));
    }

    private static PromptPart.Text t(String s) {
        return new PromptPart.Text(s);
    }

    private static PromptPart.Image i(String s) {
        return new PromptPart.Image(s);
    }

    @Test
    void theGuidesConversation() {
        List<PromptPart> parts = chat("""
                [{"role": "user", "content": [{"type": "text", "text": "What is in this image?"},
                                              {"type": "image_url", "image_url": {"url": "https://a/1.png"}}]},
                 {"role": "assistant", "content": "A dog."},
                 {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://a/2.png"}},
                                              {"type": "text", "text": "And who is that?"}]}]""");
        assertEquals(List.of(t("User: What is in this image?"), i("https://a/1.png"), t("<end_of_utterance>"),
                t("\nAssistant: A dog.<end_of_utterance>"), t("\nUser:"), i("https://a/2.png"),
                t("And who is that?<end_of_utterance>"), t("\nAssistant:")), parts);
    }

    @Test
    void systemMessagesBecomeAPreamble() {
        List<PromptPart> parts = chat("""
                [{"role": "system", "content": "Be brief."}, {"role": "developer", "content": "No lists."},
                 {"role": "user", "content": "Hi"}]""");
        assertEquals(List.of(t("Be brief.\n\nNo lists.\n\nUser: Hi<end_of_utterance>"), t("\nAssistant:")), parts);
    }

    @Test
    void adjacentTextPartsJoinWithASpace() {
        List<PromptPart> parts = chat("""
                [{"role": "user", "content": [{"type": "text", "text": "One."}, {"type": "text", "text": "Two."}]}]""");
        assertEquals(List.of(t("User: One. Two.<end_of_utterance>"), t("\nAssistant:")), parts);
    }

    @Test
    void refusals() {
        assertThrows(ApiError.class, () -> chat("[]"));
        assertThrows(ApiError.class, () -> chat("[{\"role\": \"tool\", \"content\": \"x\"}]"));
        assertThrows(ApiError.class, () -> chat("[{\"role\": \"user\", \"content\": \"x\"}, "
                + "{\"role\": \"assistant\", \"content\": \"y\"}]"));
        assertThrows(ApiError.class, () -> chat("[{\"role\": \"assistant\", \"content\": [{\"type\": \"image_url\", "
                + "\"image_url\": {\"url\": \"https://a\"}}]}, {\"role\": \"user\", \"content\": \"x\"}]"));
        ApiError audio = assertThrows(ApiError.class, () -> chat("[{\"role\": \"user\", \"content\": "
                + "[{\"type\": \"input_audio\"}]}]"));
        assertEquals("messages[0].content[0].type", audio.param());
    }

    @Test
    void tgiMarkdownImages() {
        assertEquals(List.of(t("User:"), i("https://a/1.png"), t("Describe.<end_of_utterance>\nAssistant:")),
                TgiPrompt.of("User:![](https://a/1.png)Describe.<end_of_utterance>\nAssistant:"));
        assertEquals(List.of(i("data:image/png;base64,AAAA"), i("https://b")),
                TgiPrompt.of("![](data:image/png;base64,AAAA)![alt](https://b)"));
        assertThrows(ApiError.class, () -> TgiPrompt.of(""));
        assertThrows(ApiError.class, () -> TgiPrompt.of("![]()"));
    }

    @Test
    void stopStringsAreCutAndNeverStreamed() {
        ChoiceText text = new ChoiceText(List.of("END", "\n\n"), true);
        StringBuilder sent = new StringBuilder();
        for (String delta : List.of("  Hello", " E", "N", "ough. E", "ND of", " it")) {
            sent.append(text.add(delta));
            assertTrue(!sent.toString().contains("END"), sent.toString());
        }
        sent.append(text.finish());
        assertEquals("Hello ENough. ", sent.toString());
        assertEquals("Hello ENough. ", text.text());

        ChoiceText held = new ChoiceText(List.of("STOP"), true);
        assertEquals("abc ", held.add("abc ST"));
        assertEquals("ST", held.finish(), "what was held back goes out when the choice ends");
        assertEquals("x", new ChoiceText(null, true).add(" \nx"));
    }
}
