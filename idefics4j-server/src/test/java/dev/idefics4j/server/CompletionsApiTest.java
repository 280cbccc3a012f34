package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OpenAI's text completions, {@code POST /v1/completions}, which Hugging Face's JS inference client (4.x) calls for
 * every {@code textGeneration} and {@code textGenerationStream} against an endpoint: the exact bodies that client
 * sends get the facade's text for the same prompt (greedy and seeded sampling with TGI's extras, streamed and not);
 * then {@code n}, {@code echo}, {@code stop} cut before the stop string, the official OpenAI Java SDK, and the
 * refusals. {@code GET /v1/models/{id}} is here too.
 */
class CompletionsApiTest {
    private static final String MODEL = "HuggingFaceM4/idefics-tiny";
    private static ImageHost images;
    private static IdeficsServer server;

    @BeforeAll
    static void start() {
        images = new ImageHost();
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).modelName(MODEL)
                .allow("127.0.0.1").build());
    }

    @AfterAll
    static void stop() {
        server.close();
        images.close();
    }

    /** A chat turn written out, as TGI users write IDEFICS prompts. */
    private static String prompt() {
        return "User: What is in this image?![](" + images.url("/img/cat_rgb_97x61.jpg") + ")<end_of_utterance>\n"
                + "Assistant:";
    }

    /** The facade's new text for the same prompt (the image by file), with the server's instruct settings. */
    private static String reference(Map<String, Object> overrides) {
        return TestModel.generate(TestModel.chatTurn("What is in this image?", "cat_rgb_97x61.jpg"), overrides);
    }

    /** A body as @huggingface/inference 4.13 writes it: model (the endpoint URL), the parameters, then prompt. */
    private static String hfClientBody(String fields) {
        return "{\"model\":\"http://127.0.0.1:" + server.port() + "\"," + fields + ",\"prompt\":"
                + Http.JSON.valueToTree(prompt()) + "}";
    }

    /** The HF client's headers: its token as a bearer key, its user agent. */
    private static Http.Response postAsHfClient(String body) {
        return Http.post(server.port(), "/v1/completions", body, "Authorization", "Bearer hf_x",
                "User-Agent", "@huggingface/inference/4.13.30");
    }

    @Test
    void hfClientTextGenerationGreedy() {
        // textGeneration({inputs, parameters: {max_new_tokens: 10, temperature: 0}})
        Http.Response r = postAsHfClient(hfClientBody("\"max_tokens\":10,\"temperature\":0"));
        assertEquals(200, r.status(), r.body());
        JsonNode body = r.json();
        assertEquals("text_completion", body.get("object").asText());
        assertTrue(body.get("id").asText().startsWith("cmpl-"));
        assertEquals(MODEL, body.get("model").asText());
        String want = reference(Map.of("do_sample", false, "max_new_tokens", 10));
        assertNotEquals("", want);
        // The client reads choices[0].text as generated_text: the text as made, its leading space kept.
        assertEquals(want, body.get("choices").get(0).get("text").asText());
        JsonNode usage = body.get("usage");
        assertEquals(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(),
                usage.get("total_tokens").asInt());
    }

    @Test
    void hfClientTextGenerationStream() {
        // textGenerationStream({inputs, parameters: {max_new_tokens: 10, temperature: 0}})
        Http.Response r = postAsHfClient(hfClientBody("\"stream\":true,\"max_tokens\":10,\"temperature\":0"));
        assertEquals(200, r.status(), r.body());
        List<String> events = r.events();
        assertEquals("[DONE]", events.getLast());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String data : events.subList(0, events.size() - 1)) {
            JsonNode chunk = Http.parse(data);
            assertEquals("text_completion", chunk.get("object").asText());
            JsonNode choice = chunk.get("choices").get(0);
            text.append(choice.get("text").asText());
            if (!choice.get("finish_reason").isNull()) {
                finish = choice.get("finish_reason").asText();
            }
        }
        assertEquals(reference(Map.of("do_sample", false, "max_new_tokens", 10)), text.toString());
        assertTrue("stop".equals(finish) || "length".equals(finish), String.valueOf(finish));
    }

    @Test
    void hfClientTgiParametersSampleWithTheSeed() {
        // textGeneration with TGI's parameters: do_sample, top_k, seed, stop, details, return_full_text
        Http.Response r = postAsHfClient(hfClientBody("\"max_tokens\":8,\"do_sample\":true,\"temperature\":0.7,"
                + "\"top_k\":5,\"seed\":42,\"stop\":[\"\\n\"],\"details\":true,\"return_full_text\":false"));
        assertEquals(200, r.status(), r.body());
        String made = reference(Map.of("do_sample", true, "temperature", 0.7, "top_k", 5, "top_p", 1.0,
                "seed", 42, "max_new_tokens", 8, "stop", List.of("\n")));
        int cut = made.indexOf('\n');
        assertEquals(cut < 0 ? made : made.substring(0, cut), r.json().get("choices").get(0).get("text").asText());
    }

    @Test
    void choicesEchoAndStop() {
        ObjectNode req = Http.JSON.createObjectNode();
        req.putArray("prompt").add(prompt());
        req.put("max_tokens", 6).put("temperature", 0.9).put("seed", 7).put("n", 2).put("echo", true);
        Http.Response r = Http.post(server.port(), "/v1/completions", req.toString());
        assertEquals(200, r.status(), r.body());
        JsonNode choices = r.json().get("choices");
        assertEquals(2, choices.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(i, choices.get(i).get("index").asInt());
            assertTrue(choices.get(i).get("text").asText().startsWith(prompt()), "echo puts the prompt first");
        }
        assertTrue(r.json().get("usage").get("completion_tokens").asInt() <= 12);

        // A stop string that the greedy text holds: the text ends before it.
        String greedy = reference(Map.of("do_sample", false, "max_new_tokens", 10));
        String stop = greedy.substring(greedy.length() - 1);
        ObjectNode stopped = Http.JSON.createObjectNode().put("prompt", prompt()).put("max_tokens", 10)
                .put("temperature", 0);
        stopped.putArray("stop").add(stop).add("");
        Http.Response s = Http.post(server.port(), "/v1/completions", stopped.toString());
        assertEquals(200, s.status(), s.body());
        assertEquals(greedy.substring(0, greedy.indexOf(stop)), s.json().get("choices").get(0).get("text").asText());
        assertEquals("stop", s.json().get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void officialJavaSdk() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey("unused").maxRetries(0).build();
        try {
            CompletionCreateParams params = CompletionCreateParams.builder().model(MODEL).prompt(prompt())
                    .maxTokens(10).temperature(0.0).build();
            Completion c = client.completions().create(params);
            String want = reference(Map.of("do_sample", false, "max_new_tokens", 10));
            assertEquals(want, c.choices().getFirst().text());
            StringBuilder streamed = new StringBuilder();
            try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
                stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> streamed.append(choice.text())));
            }
            assertEquals(want, streamed.toString());

            // models.retrieve: the served id (a Hub repo id, slash and all), and OpenAI's 404 for another
            assertEquals(MODEL, client.models().retrieve(MODEL).id());
            assertThrows(NotFoundException.class, () -> client.models().retrieve("gpt-4o"));
        } finally {
            client.close();
        }
    }

    @Test
    void modelById() {
        JsonNode model = Http.get(server.port(), "/v1/models/" + MODEL).json();
        assertEquals(MODEL, model.get("id").asText());
        assertEquals("model", model.get("object").asText());
        assertEquals(MODEL, Http.get(server.port(), "/v1/models/HuggingFaceM4%2Fidefics-tiny").json().get("id")
                .asText());
        Http.Response other = Http.get(server.port(), "/v1/models/other");
        assertEquals(404, other.status());
        assertEquals("model_not_found", other.json().get("error").get("code").asText());
        assertTrue(other.json().get("error").get("message").asText().contains(MODEL), other.body());
    }

    @Test
    void refusals() {
        Http.Response suffix = Http.post(server.port(), "/v1/completions", "{\"prompt\": \"Hi\", \"suffix\": \"x\"}");
        assertEquals(400, suffix.status());
        assertEquals("suffix", suffix.json().get("error").get("param").asText());
        Http.Response two = Http.post(server.port(), "/v1/completions", "{\"prompt\": [\"Hi\", \"Ho\"]}");
        assertEquals(400, two.status());
        assertTrue(two.json().get("error").get("message").asText().contains("one request per prompt"), two.body());
        Http.Response ids = Http.post(server.port(), "/v1/completions", "{\"prompt\": [1, 2, 3]}");
        assertEquals(400, ids.status());
        assertTrue(ids.json().get("error").get("message").asText().contains("token ids"), ids.body());
        Http.Response noUrl = Http.post(server.port(), "/v1/completions", "{\"prompt\": \"![]( )Hi\"}");
        assertEquals(400, noUrl.status());
        assertEquals("prompt", noUrl.json().get("error").get("param").asText());
        Http.Response logprobs = Http.post(server.port(), "/v1/completions", "{\"prompt\": \"Hi\", \"logprobs\": 2}");
        assertEquals(400, logprobs.status());
    }
}
