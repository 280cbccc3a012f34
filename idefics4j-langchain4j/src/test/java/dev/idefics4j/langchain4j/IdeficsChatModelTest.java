package dev.idefics4j.langchain4j;

import dev.idefics4j.Completion;
import dev.idefics4j.generation.FinishReason;
import dev.idefics4j.processor.PromptItem;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IdeficsChatModel} through LangChain4j's own API on the tiny model: each answer, its token usage and finish
 * reason equal what the facade gives for the same prompt in the guide's chat form.
 */
class IdeficsChatModelTest {
    private static final int MAX_TOKENS = 12;
    private static IdeficsChatModel model;

    @BeforeAll
    static void start() {
        model = IdeficsChatModel.builder().idefics(Reference.get()).modelName("tiny")
                .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(MAX_TOKENS).build())
                .build();
    }

    @AfterAll
    static void stop() {
        model.close();
    }

    private static ChatResponse chat(ChatRequestParameters parameters, dev.langchain4j.data.message.ChatMessage... m) {
        return model.chat(ChatRequest.builder().messages(m).parameters(parameters).build());
    }

    @Test
    void textAndImageGetTheFacadesAnswer() {
        ChatResponse r = model.chat(UserMessage.from(TextContent.from("What is in this image?"),
                Reference.base64("cat_rgb_97x61.jpg", "image/jpeg")));
        List<PromptItem> prompt = Reference.turn("What is in this image?", "cat_rgb_97x61.jpg");
        Completion want = Reference.generate(prompt, Map.of("max_new_tokens", MAX_TOKENS));
        assertFalse(want.newText().isBlank(), "the tiny model says something");
        assertEquals(want.newText().stripLeading(), r.aiMessage().text());
        // The facade's own chat, which strips the answer at both ends, agrees.
        String session = Reference.get().chat(Map.of("max_new_tokens", MAX_TOKENS)).send(List.of(
                PromptItem.text("What is in this image?"),
                PromptItem.image(Reference.image("cat_rgb_97x61.jpg").toString())));
        assertEquals(session, r.aiMessage().text().strip());

        assertEquals(new TokenUsage(Reference.promptTokens(prompt), want.produced()), r.tokenUsage());
        assertEquals(want.finishReason() == FinishReason.LENGTH ? dev.langchain4j.model.output.FinishReason.LENGTH
                : dev.langchain4j.model.output.FinishReason.STOP, r.finishReason());
        assertEquals("tiny", r.modelName());
    }

    @Test
    void finishReasons() {
        UserMessage question = UserMessage.from(TextContent.from("What is in this image?"),
                Reference.base64("cat_rgb_97x61.jpg", "image/jpeg"));
        List<PromptItem> prompt = Reference.turn("What is in this image?", "cat_rgb_97x61.jpg");

        // min_new_tokens holds off the end of utterance: the answer runs to its limit.
        ChatResponse length = chat(IdeficsChatRequestParameters.builder().maxOutputTokens(6).minNewTokens(6)
                .build(), question);
        assertEquals(dev.langchain4j.model.output.FinishReason.LENGTH, length.finishReason());
        assertEquals(6, length.tokenUsage().outputTokenCount());
        assertEquals(Reference.answer(prompt, Map.of("max_new_tokens", 6, "min_new_tokens", 6)),
                length.aiMessage().text());

        // A stop sequence taken from the middle of the answer: cut before it, finish reason stop.
        String full = Reference.answer(prompt, Map.of("max_new_tokens", MAX_TOKENS));
        String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
        assertFalse(stop.isBlank(), "a stop string to find: " + full);
        ChatResponse stopped = chat(ChatRequestParameters.builder().stopSequences(stop).build(), question);
        assertEquals(dev.langchain4j.model.output.FinishReason.STOP, stopped.finishReason());
        assertEquals(full.substring(0, full.indexOf(stop)), stopped.aiMessage().text());
        Completion facade = Reference.generate(prompt, Map.of("max_new_tokens", MAX_TOKENS, "stop", List.of(stop)));
        assertEquals(facade.produced(), stopped.tokenUsage().outputTokenCount());

        // This prompt makes the tiny model end its utterance at once: an empty answer, finish reason stop.
        List<PromptItem> ending = Reference.turn("Describe it.", "rocket_rgb_200x320.jpg");
        Completion eos = Reference.generate(ending, Map.of("max_new_tokens", MAX_TOKENS));
        assertEquals(FinishReason.EOS, eos.finishReason());
        ChatResponse ended = model.chat(UserMessage.from(TextContent.from("Describe it."),
                Reference.base64("rocket_rgb_200x320.jpg", "image/jpeg")));
        assertEquals(dev.langchain4j.model.output.FinishReason.STOP, ended.finishReason());
        assertEquals(eos.newText().stripLeading(), ended.aiMessage().text());
        assertEquals(new TokenUsage(Reference.promptTokens(ending), eos.produced()), ended.tokenUsage());
    }

    @Test
    void historyAndSystemMessageInTheInstructFormat() {
        ChatResponse r = chat(ChatRequestParameters.builder().build(),
                SystemMessage.from("Be brief."),
                UserMessage.from(TextContent.from("What is in this image?"),
                        Reference.base64("cat_rgb_97x61.jpg", "image/jpeg")),
                AiMessage.from("A cat."),
                UserMessage.from(Reference.base64("rocket_rgb_200x320.jpg", "image/jpeg"),
                        TextContent.from("And this one?")));
        List<PromptItem> prompt = List.of(
                PromptItem.text("Be brief.\n\nUser: What is in this image?"),
                PromptItem.image(Reference.image("cat_rgb_97x61.jpg").toString()),
                PromptItem.text("<end_of_utterance>"),
                PromptItem.text("\nAssistant: A cat.<end_of_utterance>"),
                PromptItem.text("\nUser:"),
                PromptItem.image(Reference.image("rocket_rgb_200x320.jpg").toString()),
                PromptItem.text("And this one?<end_of_utterance>"),
                PromptItem.text("\nAssistant:"));
        assertEquals(Reference.answer(prompt, Map.of("max_new_tokens", MAX_TOKENS)), r.aiMessage().text());
        assertEquals(Reference.promptTokens(prompt), r.tokenUsage().inputTokenCount());
    }

    @Test
    void samplingWithASeedAndIdeficsParameters() {
        UserMessage question = UserMessage.from(TextContent.from("What is in this image?"),
                Reference.base64("cat_rgb_97x61.jpg", "image/jpeg"));
        List<PromptItem> prompt = Reference.turn("What is in this image?", "cat_rgb_97x61.jpg");

        ChatResponse sampled = chat(IdeficsChatRequestParameters.builder().temperature(0.9).topP(0.95).seed(7L)
                .build(), question);
        assertEquals(Reference.answer(prompt, Map.of("max_new_tokens", MAX_TOKENS, "do_sample", true,
                "temperature", 0.9, "top_p", 0.95, "top_k", 0, "seed", 7L)), sampled.aiMessage().text());
        assertEquals(sampled.aiMessage().text(), chat(IdeficsChatRequestParameters.builder().temperature(0.9)
                .topP(0.95).seed(7L).build(), question).aiMessage().text(), "the same seed, the same answer");

        ChatResponse topK = chat(IdeficsChatRequestParameters.builder().topK(5).seed(3L).build(), question);
        assertEquals(Reference.answer(prompt, Map.of("max_new_tokens", MAX_TOKENS, "do_sample", true,
                "temperature", 1.0, "top_p", 1.0, "top_k", 5, "seed", 3L)), topK.aiMessage().text());

        String greedy = Reference.answer(prompt, Map.of("max_new_tokens", MAX_TOKENS));
        assertEquals(greedy, chat(ChatRequestParameters.builder().temperature(0.0).topK(5).build(), question)
                .aiMessage().text(), "temperature 0 is greedy search");

        ChatResponse penalised = chat(IdeficsChatRequestParameters.builder().repetitionPenalty(1.5)
                .badWords(List.of(greedy.split(" ")[0])).build(), question);
        assertEquals(Reference.answer(prompt, Map.of("max_new_tokens", MAX_TOKENS, "repetition_penalty", 1.5,
                "bad_words", List.of(greedy.split(" ")[0]))), penalised.aiMessage().text());

        ChatResponse beams = chat(IdeficsChatRequestParameters.builder().numBeams(2).maxOutputTokens(8).build(),
                question);
        Completion beam = Reference.generate(prompt, Map.of("max_new_tokens", 8, "num_beams", 2));
        assertEquals(beam.newText().stripLeading(), beams.aiMessage().text());
        assertEquals(beam.produced(), beams.tokenUsage().outputTokenCount());
    }

    @Test
    void requestParametersOverTheDefaults() {
        UserMessage question = UserMessage.from(TextContent.from("Hi"), Reference.base64("cat_small_20x16.png",
                "image/png"));
        ChatResponse r = chat(ChatRequestParameters.builder().maxOutputTokens(3).build(), question);
        assertTrue(r.tokenUsage().outputTokenCount() <= 3);
        assertEquals(Reference.answer(Reference.turn("Hi", "cat_small_20x16.png"), Map.of("max_new_tokens", 3)),
                r.aiMessage().text());
        assertEquals(MAX_TOKENS, model.defaultRequestParameters().maxOutputTokens());
    }
}
