package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.GuidePrompts;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat page at {@code GET /}, driven in a real headless Chromium against {@code serve} on loopback with the
 * bundled tiny model: what it shows must be what the API answers for the same conversation, and what it sends must be
 * the guide's prompts. Skipped where Chromium is not installed, except in CI, whose script installs it.
 */
class ChatPageBrowserTest {
    private static final Path CAT = TestData.fixture("images/cat_rgb_97x61.jpg");
    private static final Path ROCKET = TestData.fixture("images/rocket_rgb_200x320.jpg");
    private static IdeficsServer server;
    private static IdeficsServer guarded;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() {
        browser = HeadlessChromium.start();
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).build());
        // Images over 8 KiB refused, and an API key: the page must say so before sending, and ask for the key.
        guarded = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).apiKey("sesame")
                .images(ServerConfig.DEFAULT_IMAGE_LIMITS.withMaxEncodedBytes(8 << 10)).build());
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (guarded != null) {
            guarded.close();
        }
    }

    @BeforeEach
    void openPage() {
        browser.manage().window().setSize(new Dimension(1100, 900));
        browser.get("http://127.0.0.1:" + server.port() + "/");
        waitFor(() -> text("model").startsWith("model: "));
    }

    @Test
    void anUploadedImageIsAnsweredAsTheApiAnswersTheSameConversation() throws IOException {
        addImage(CAT);
        setValue("max-tokens", "12");
        type("prompt", "What is in this image?");
        browser.findElement(By.id("send")).click();
        String first = answer(1);

        ObjectNode user = userMessage(List.of(textPart("What is in this image?"), imagePart(CAT)));
        JsonNode api = complete(server, List.of(user), 12);
        assertEquals(api.at("/choices/0/message/content").asText(), first);
        String meta = browser.findElements(By.cssSelector(".msg.assistant .meta")).getFirst().getText();
        assertTrue(meta.contains(api.at("/usage/prompt_tokens").asInt() + " prompt + "
                + api.at("/usage/completion_tokens").asInt() + " new tokens"), meta);
        assertTrue(meta.contains("finish: " + api.at("/choices/0/finish_reason").asText()), meta);

        // The second turn, sent from the keyboard, keeps the image and the first answer in the history.
        type("prompt", "Is it a dog?" + Keys.ENTER);
        String second = answer(2);
        ObjectNode assistant = Http.JSON.createObjectNode().put("role", "assistant").put("content", first);
        JsonNode api2 = complete(server, List.of(user, assistant,
                userMessage(List.of(textPart("Is it a dog?")))), 12);
        assertEquals(api2.at("/choices/0/message/content").asText(), second);
        screenshot();
    }

    @Test
    void stopEndsTheStreamAndTheServerCancelsIt() {
        addImage(CAT);
        setValue("max-tokens", "1000");
        type("prompt", "Tell me everything.");
        long cancelledBefore = server.metrics().requests("chat_completions", "cancelled");
        server.holdSteps(true);
        try {
            browser.findElement(By.id("send")).click();
            waitFor(() -> text("status").equals("Generating…"));
            browser.findElement(By.id("stop")).click();
            waitFor(() -> text("status").equals("Stopped."));
        } finally {
            server.holdSteps(false);
        }
        assertTrue(browser.findElement(By.id("send")).isEnabled());
        assertEquals("stopped", browser.findElements(By.cssSelector(".msg.assistant")).getLast()
                .getDomAttribute("data-finish"));
        waitFor(() -> server.metrics().requests("chat_completions", "cancelled") == cancelledBefore + 1);
    }

    /** Each task sends the prompt the CLI's task sends (GuidePrompts), as content parts around the image. */
    @Test
    void theTasksSendTheGuidesPrompts() throws IOException {
        ImageSource cat = new ImageSource.File(CAT);
        setValue("max-tokens", "3");
        checkTask("caption", "", null, GuidePrompts.caption(cat));
        checkTask("ask", "What is this?", null, GuidePrompts.ask(cat, "What is this?"));
        checkTask("classify", "", "cat, dog, it's a \"rocket\"",
                GuidePrompts.classify(cat, List.of("cat", "dog", "it's a \"rocket\"")));
        checkTask("describe", "Write a product description for this item.", null,
                GuidePrompts.describe(cat, "Write a product description for this item.", null));
        checkTask("story", "", null, GuidePrompts.story(cat));
    }

    @Test
    void anOversizedImageAndAWrongKeyAreExplainedBeforeAnythingIsSent() {
        browser.get("http://127.0.0.1:" + guarded.port() + "/");
        waitFor(() -> browser.findElement(By.id("keyform")).isDisplayed());
        assertTrue(text("error").contains("this server needs an API key"), text("error"));
        type("key", "open up" + Keys.ENTER);
        waitFor(() -> text("error").contains("the API key is not valid"));
        type("key", "sesame" + Keys.ENTER);
        waitFor(() -> text("model").startsWith("model: "));
        assertFalse(browser.findElement(By.id("keyform")).isDisplayed());

        addFile(ROCKET);
        waitFor(() -> text("error").contains("Image not added"));
        assertTrue(text("error").contains("rocket_rgb_200x320.jpg is 22 KiB; the server takes images of at most 8 KiB"),
                text("error"));
        assertTrue(browser.findElements(By.cssSelector(".thumb")).isEmpty());
        assertEquals("nothing sent yet", browser.findElement(By.id("last-request")).getAttribute("textContent"));

        // The small image goes through, with the key.
        addImage(CAT);
        setValue("max-tokens", "4");
        browser.findElement(By.id("send")).click();
        answer(1);
        assertEquals("", text("error"));
    }

    @Test
    void aPhoneWidthWindowNeedsNoSideScrolling() {
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        waitFor(() -> text("model").startsWith("model: "));
        addImage(CAT);
        Number scroll = (Number) js("return document.documentElement.scrollWidth");
        Number width = (Number) js("return document.documentElement.clientWidth");
        assertTrue(scroll.intValue() <= width.intValue(), "page is " + scroll + " px wide in a " + width + " px window");
    }

    @Test
    void noUiLeavesTheRootToTheApi() {
        try (IdeficsServer apiOnly = IdeficsServer.start(TestModel.get(),
                ServerConfig.builder().port(0).ui(false).build())) {
            Http.Response r = Http.get(apiOnly.port(), "/");
            assertEquals(404, r.status(), r.body());
        }
        Http.Response page = Http.get(server.port(), "/");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("<title>idefics4j</title>"));
    }

    private void checkTask(String task, String text, String labels, List<PromptItem> expected) throws IOException {
        browser.findElement(By.id("reset")).click();
        new Select(browser.findElement(By.id("task"))).selectByValue(task);
        if (labels != null) {
            type("labels", labels);
        }
        if (!text.isEmpty()) {
            type("prompt", text);
        }
        addImage(CAT);
        browser.findElement(By.id("send")).click();
        answer(1);
        JsonNode sent = Http.JSON.readTree(browser.findElement(By.id("last-request")).getAttribute("textContent"));
        JsonNode content = sent.at("/messages/0/content");
        assertEquals(expected.size(), content.size(), task + ": " + content);
        for (int i = 0; i < expected.size(); i++) {
            PromptItem item = expected.get(i);
            JsonNode part = content.get(i);
            if (item instanceof PromptItem.Text(String t)) {
                assertEquals("text", part.get("type").asText(), task + " part " + i);
                assertEquals(t, part.get("text").asText(), task + " part " + i);
            } else {
                assertEquals("image_url", part.get("type").asText(), task + " part " + i);
                assertTrue(part.at("/image_url/url").asText().startsWith("data:image/jpeg;base64,"), task);
            }
        }
    }

    /** The text of the n-th assistant message, once its turn is done. */
    private String answer(int n) {
        waitFor(() -> browser.findElements(By.cssSelector(".msg.assistant")).size() == n
                && browser.findElements(By.cssSelector(".msg.assistant")).getLast().getDomAttribute("data-finish") != null);
        return browser.findElements(By.cssSelector(".msg.assistant .body")).get(n - 1).getAttribute("textContent");
    }

    private void addImage(Path file) {
        int before = browser.findElements(By.cssSelector(".thumb")).size();
        addFile(file);
        waitFor(() -> browser.findElements(By.cssSelector(".thumb")).size() == before + 1);
    }

    private void addFile(Path file) {
        browser.findElement(By.id("file")).sendKeys(file.toAbsolutePath().toString());
    }

    private void type(String id, String keys) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(keys);
    }

    private void setValue(String id, String value) {
        js("document.getElementById(arguments[0]).value = arguments[1]", id, value);
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private void waitFor(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> condition.getAsBoolean());
    }

    /** Saves the page as target/ui.png (and where -Didefics4j.ui.screenshot says: docs/ui.png is made so). */
    private void screenshot() throws IOException {
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target/ui.png"), StandardCopyOption.REPLACE_EXISTING);
        String also = System.getProperty("idefics4j.ui.screenshot");
        if (also != null && !also.isBlank()) {
            Files.copy(shot, Path.of(also), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static ObjectNode textPart(String text) {
        return Http.JSON.createObjectNode().put("type", "text").put("text", text);
    }

    private static ObjectNode imagePart(Path file) throws IOException {
        ObjectNode part = Http.JSON.createObjectNode().put("type", "image_url");
        part.putObject("image_url").put("url", "data:image/jpeg;base64,"
                + Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
        return part;
    }

    private static ObjectNode userMessage(List<ObjectNode> parts) {
        ObjectNode m = Http.JSON.createObjectNode().put("role", "user");
        ArrayNode content = m.putArray("content");
        parts.forEach(content::add);
        return m;
    }

    /** What /v1/chat/completions answers, greedy and without streaming, for the conversation. */
    private static JsonNode complete(IdeficsServer target, List<ObjectNode> messages, int maxTokens) {
        ObjectNode body = Http.JSON.createObjectNode().put("max_tokens", maxTokens).put("temperature", 0);
        ArrayNode list = body.putArray("messages");
        messages.forEach(list::add);
        Http.Response r = Http.post(target.port(), "/v1/chat/completions", body.toString());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }
}
