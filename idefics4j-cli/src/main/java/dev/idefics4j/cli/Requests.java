package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.generation.ContinuationScore;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.processor.PromptItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs one JSON request of the command-line contract against a loaded model. */
final class Requests {
    private Requests() {
    }

    /** A {@code generate} request → {@code {"sequences": [...]}}. */
    static Map<String, Object> generate(Idefics idefics, JsonNode request, Path baseDir) {
        List<List<PromptItem>> prompts = RequestParser.prompts(request, baseDir);
        GenerationConfig config = idefics.checkpointGenerationConfig()
                .withOverrides(RequestParser.generationParameters(request), true);
        return GenerateCommand.view(idefics.generate(prompts, RequestParser.processorOptions(request), config));
    }

    /** A {@code score} request ({@code prompt}, {@code continuations}) → {@code {"scores": [...]}}. */
    static Map<String, Object> score(Idefics idefics, JsonNode request, Path baseDir) {
        RequestParser.requireObject(request);
        if (!request.has("prompt")) {
            throw new IllegalArgumentException("a score request needs \"prompt\": one prompt's items");
        }
        JsonNode conts = request.get("continuations");
        if (conts == null || !conts.isArray() || conts.isEmpty()) {
            throw new IllegalArgumentException("a score request needs \"continuations\": a list of strings");
        }
        List<String> continuations = new ArrayList<>();
        for (JsonNode c : conts) {
            if (!c.isTextual()) {
                throw new IllegalArgumentException("continuations must be strings, got " + c);
            }
            continuations.add(c.asText());
        }
        List<PromptItem> prompt = RequestParser.prompt(request.get("prompt"), baseDir, "prompt");
        List<ContinuationScore> scores = idefics.score(prompt, continuations);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < scores.size(); i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("continuation", continuations.get(i));
            m.put("token_ids", scores.get(i).tokens());
            m.put("token_logprobs", scores.get(i).logProbs());
            m.put("logprob", scores.get(i).total());
            out.add(m);
        }
        return Map.of("scores", out);
    }
}
