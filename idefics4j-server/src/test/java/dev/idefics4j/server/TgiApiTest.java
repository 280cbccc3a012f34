package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TGI's routes as TGI served IDEFICS: {@code inputs} with markdown images and {@code parameters} under TGI's names;
 * the text equals the facade's {@code generate} for the same prompt, greedy and seeded sampling; details, streaming
 * events, validation errors as {@code {error, error_type}} with 422, and the health, info and metrics routes.
 */
class TgiApiTest {
    private static ImageHost images;
    private static IdeficsServer server;

    @BeforeAll
    static void start() {
        images = new ImageHost();
        server = IdeficsServer.start(TestModel.get(), ServerConfig.builder().port(0).allow("127.0.0.1").build());
    }

    @AfterAll
    static void stop() {
        server.close();
        images.close();
    }

    private static String inputs() {
        return "User:![](" + images.url("/img/cat_rgb_97x61.jpg") + ")Describe the image.<end_of_utterance>\nAssistant:";
    }

    private static String reference(Map<String, Object> overrides) {
        Idefics m = TestModel.get();
        List<PromptItem> prompt = List.of(PromptItem.text("User:"),
                PromptItem.image(TestData.fixture("images/cat_rgb_97x61.jpg").toString()),
                PromptItem.text("Describe the image.<end_of_utterance>\nAssistant:"));
        ModelInputs in = m.processor().process(List.of(prompt),
                ProcessorOptions.DEFAULTS.withAddEndOfUtteranceToken(false));
        return m.generate(in, m.chatConfig().withOverrides(overrides), null).getFirst().newText();
    }

    private static String request(String parameters) {
        return "{\"inputs\": " + Http.JSON.valueToTree(inputs()) + ", \"parameters\": " + parameters + "}";
    }

    @Test
    void generateWithDetails() {
        Http.Response r = Http.post(server.port(), "/generate", request("{\"max_new_tokens\": 10, \"details\": true}"));
        assertEquals(200, r.status(), r.body());
        JsonNode body = r.json();
        assertEquals(reference(Map.of("do_sample", false, "max_new_tokens", 10)), body.get("generated_text").asText());
        JsonNode details = body.get("details");
        assertEquals(details.get("generated_tokens").asInt(), details.get("tokens").size());
        assertTrue(List.of("length", "eos_token").contains(details.get("finish_reason").asText()));
        assertTrue(details.get("seed").isNull(), "greedy search has no seed");
        for (JsonNode token : details.get("tokens")) {
            assertTrue(token.get("logprob").asDouble() <= 0);
        }
    }

    /** The extension min_new_tokens: no end of sequence before that many tokens (here: all of them). */
    @Test
    void minNewTokensHoldsOffTheEnd() {
        Http.Response r = Http.post(server.port(), "/generate",
                request("{\"max_new_tokens\": 40, \"min_new_tokens\": 40, \"details\": true}"));
        assertEquals(200, r.status(), r.body());
        JsonNode details = r.json().get("details");
        assertEquals(40, details.get("generated_tokens").asInt());
        assertEquals("length", details.get("finish_reason").asText());
        assertEquals(reference(Map.of("do_sample", false, "max_new_tokens", 40, "min_new_tokens", 40)),
                r.json().get("generated_text").asText());
    }

    @Test
    void seededSamplingEqualsTheFacade() {
        Http.Response r = Http.post(server.port(), "/generate",
                request("{\"max_new_tokens\": 10, \"temperature\": 0.7, \"seed\": 42, \"details\": true}"));
        assertEquals(200, r.status(), r.body());
        assertEquals(reference(Map.of("do_sample", true, "temperature", 0.7, "top_k", 0, "seed", 42,
                "max_new_tokens", 10)), r.json().get("generated_text").asText());
        assertEquals(42, r.json().get("details").get("seed").asLong());
    }

    @Test
    void streamEventsAddUpToTheText() {
        Http.Response r = Http.post(server.port(), "/generate_stream", request("{\"max_new_tokens\": 10}"));
        assertEquals(200, r.status(), r.body());
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (String data : r.events()) {
            last = Http.parse(data);
            if (!last.get("token").get("special").asBoolean()) {
                text.append(last.get("token").get("text").asText());
            }
        }
        assertTrue(last != null && !last.get("generated_text").isNull());
        assertEquals(last.get("generated_text").asText(), text.toString());
        assertEquals(reference(Map.of("do_sample", false, "max_new_tokens", 10)), text.toString());
        assertEquals(r.events().size(), last.get("details").get("generated_tokens").asInt());
    }

    @Test
    void rootRouteAndFullText() {
        Http.Response r = Http.post(server.port(), "/", request("{\"max_new_tokens\": 5, \"return_full_text\": true}"));
        assertEquals(200, r.status(), r.body());
        assertEquals(inputs() + reference(Map.of("do_sample", false, "max_new_tokens", 5)),
                r.json().get("generated_text").asText());
    }

    @Test
    void validationErrors() {
        Http.Response typical = Http.post(server.port(), "/generate", request("{\"typical_p\": 0.5}"));
        assertEquals(422, typical.status());
        assertEquals("validation", typical.json().get("error_type").asText());
        assertTrue(typical.json().get("error").asText().contains("parameters.typical_p"));
        Http.Response noInputs = Http.post(server.port(), "/generate", "{\"parameters\": {}}");
        assertEquals(422, noInputs.status());
        assertTrue(noInputs.json().get("error").asText().contains("inputs"));
        Http.Response badJson = Http.post(server.port(), "/generate", "{\"inputs\": \"Hi\"");
        assertEquals(422, badJson.status());
        assertEquals("the request body is not valid JSON: Unexpected end-of-input: expected close marker for Object "
                + "(opened at line 1, column 1) at line 1, column 16", badJson.json().get("error").asText());
        Http.Response zero = Http.post(server.port(), "/generate", request("{\"max_new_tokens\": 0}"));
        assertEquals(422, zero.status());
        long unknown = server.metrics().requests("unknown", "not_found");
        Http.Response nowhere = Http.get(server.port(), "/nowhere");
        assertEquals(404, nowhere.status());
        assertEquals("not_found", nowhere.json().get("error_type").asText());
        assertEquals(unknown + 1, server.metrics().requests("unknown", "not_found"));
    }

    @Test
    void healthInfoAndMetrics() {
        assertEquals(200, Http.get(server.port(), "/health").status());
        assertEquals(1024, Http.get(server.port(), "/info").json().get("max_input_tokens").asInt());
        Http.post(server.port(), "/generate", request("{\"max_new_tokens\": 3}"));
        String metrics = Http.get(server.port(), "/metrics").body();
        for (String series : List.of("idefics4j_requests_total{route=\"generate\",outcome=\"success\"}",
                "idefics4j_queue_size", "idefics4j_batch_size", "idefics4j_prompt_tokens_total",
                "idefics4j_generated_tokens_total", "idefics4j_time_to_first_token_seconds_bucket",
                "idefics4j_time_per_output_token_seconds_count", "idefics4j_step_sequences_bucket{le=\"1.0\"}",
                "idefics4j_time_per_output_token_seconds_bucket{le=\"0.0005\"}",
                "idefics4j_time_to_first_token_seconds_bucket{le=\"2.5\"}")) {
            assertTrue(metrics.contains(series), series + " in\n" + metrics);
        }
        assertTrue(!metrics.contains("E-"), "no exponent form in\n" + metrics);
        // three steps at least, one for each new token (more if other tests' requests ran on this server)
        long steps = metrics.lines().filter(l -> l.startsWith("idefics4j_step_sequences_count "))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1))).sum();
        assertTrue(steps >= 3, "step count " + steps);
    }
}
