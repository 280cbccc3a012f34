package dev.idefics4j.langchain4j;

import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The module runs without the server's HTTP side: Javalin, Jetty and the servlet API are not on its class path
 * (its pom excludes them), and a chat with an image still works.
 */
class NoHttpServerTest {
    @Test
    void javalinJettyAndServletsAreAbsentAndChatWorks() {
        for (String name : new String[]{"io.javalin.Javalin", "org.eclipse.jetty.server.Server",
                "jakarta.servlet.http.HttpServletRequest"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name + " is on the class path");
        }
        try (IdeficsChatModel model = IdeficsChatModel.builder().idefics(Reference.get())
                .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(3).build()).build()) {
            assertFalse(model.chat(UserMessage.from(TextContent.from("What is this?"),
                    Reference.base64("cat_small_20x16.png", "image/png"))).tokenUsage().outputTokenCount() == 0);
        }
    }
}
