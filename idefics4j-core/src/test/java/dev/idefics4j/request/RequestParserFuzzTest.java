package dev.idefics4j.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.image.ImageLoadException;
import dev.idefics4j.testing.FuzzTarget;
import dev.idefics4j.testing.MutationFuzzer;
import dev.idefics4j.testing.ParserFuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/** Mutated request JSON is read into prompts and options or refused with an IllegalArgumentException (an
 * ImageLoadException for a malformed image reference). */
class RequestParserFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path BASE = Path.of("/nonexistent-base");

    private static final FuzzTarget TARGET = FuzzTarget.of("request", bytes -> {
        JsonNode request;
        try {
            request = JSON.readTree(bytes);
        } catch (IOException e) {
            return; // not JSON (or not a Unicode encoding): the caller reports it; the parser never sees it
        }
        RequestParser.requireObject(request);
        RequestParser.prompts(request, BASE);
        RequestParser.processorOptions(request);
        RequestParser.generationParameters(request);
        if (request.has("max_new_tokens")) { // callers ask for the fields a request has
            RequestParser.intField(request, "max_new_tokens");
        }
        if (request.has("do_sample")) {
            RequestParser.boolField(request, "do_sample");
        }
    }, IllegalArgumentException.class, ImageLoadException.class);

    static List<byte[]> seeds() {
        return List.of(
                MutationFuzzer.utf8("{\"prompts\": [[\"User:\", {\"image\": \"cat.png\"}, "
                        + "\"What is this?<end_of_utterance>\\nAssistant:\"], [\"Hi\"]], "
                        + "\"max_new_tokens\": 20, \"do_sample\": false, "
                        + "\"image_size\": 224, \"do_image_splitting\": true, \"longest_edge\": 512, "
                        + "\"temperature\": 0.7, \"top_p\": 0.9, \"seed\": 42}"),
                MutationFuzzer.utf8("{\"prompts\": [[\"a\", {\"image\": \"data:image/png;base64,iVBORw0KGgo=\"}, "
                        + "{\"image\": \"https://example.com/x.jpg\"}]], \"num_beams\": 2, \"stop\": [\"\\n\"]}"));
    }

    @MethodSource("seeds")
    @ParserFuzzTest
    void request(byte[] input) throws Exception {
        TARGET.accept(input);
    }

    @Test
    void mutatedRequestsParseOrFailWithAnIllegalArgumentException() {
        MutationFuzzer.run(TARGET, seeds(), 3000);
    }
}
