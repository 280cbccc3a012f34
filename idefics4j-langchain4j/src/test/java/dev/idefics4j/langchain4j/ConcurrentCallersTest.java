package dev.idefics4j.langchain4j;

import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eight threads calling one model at once share its decoding steps (the server's continuous batch) and each gets
 * the answer, usage and finish reason it gets alone.
 */
class ConcurrentCallersTest {
    private static final int CALLERS = 8;
    private static final String[] IMAGES = {"cat_rgb_97x61.jpg", "rocket_rgb_200x320.jpg", "cat_small_20x16.png",
            "camera_gray_50x40.png"};
    private static final String[] MIME = {"image/jpeg", "image/jpeg", "image/png", "image/png"};

    private static ChatRequest request(int i) {
        ImageContent image = Reference.base64(IMAGES[i % IMAGES.length], MIME[i % IMAGES.length]);
        // Different lengths, so that requests finish at different steps while others go on.
        return ChatRequest.builder().messages(UserMessage.from(TextContent.from("Question " + i + ": what is it?"),
                image)).parameters(IdeficsChatRequestParameters.builder().maxOutputTokens(10 + 3 * i)
                .minNewTokens(i % 2 == 0 ? 10 + 3 * i : null).build()).build();
    }

    @Test
    void eightThreadsGetTheirOwnAnswersFromSharedSteps() throws Exception {
        try (IdeficsChatModel model = IdeficsChatModel.builder().idefics(Reference.get()).build();
             ExecutorService pool = Executors.newFixedThreadPool(CALLERS)) {
            List<ChatResponse> alone = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                alone.add(model.chat(request(i)));
            }
            assertEquals(0, model.metrics().sharedSteps(), "one at a time, no step is shared");
            // Started together; a second round only if the machine ran them apart.
            for (int round = 0; round < 3 && model.metrics().sharedSteps() == 0; round++) {
                CyclicBarrier together = new CyclicBarrier(CALLERS);
                List<Future<ChatResponse>> answers = new ArrayList<>();
                for (int i = 0; i < CALLERS; i++) {
                    int k = i;
                    answers.add(pool.submit(() -> {
                        together.await();
                        return model.chat(request(k));
                    }));
                }
                for (int i = 0; i < CALLERS; i++) {
                    ChatResponse r = answers.get(i).get();
                    assertEquals(alone.get(i).aiMessage().text(), r.aiMessage().text(), "caller " + i);
                    assertEquals(alone.get(i).tokenUsage(), r.tokenUsage(), "caller " + i);
                    assertEquals(alone.get(i).finishReason(), r.finishReason(), "caller " + i);
                }
            }
            assertTrue(model.metrics().sharedSteps() > 0, "the callers were decoded in shared steps");
        }
    }
}
