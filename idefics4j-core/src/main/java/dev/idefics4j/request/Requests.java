package dev.idefics4j.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.Completion;
import dev.idefics4j.Idefics;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.generation.ContinuationScore;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.processor.PromptItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON request/result contract of the command line (and of anything built on it: batch jobs, Spark): runs one
 * request against a loaded model and returns the result as plain maps and lists, ready for a JSON writer.
 */
public final class Requests {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Requests() {
    }

    /** A {@code generate} request → {@code {"sequences": [...]}}. */
    public static Map<String, Object> generate(Idefics idefics, JsonNode request, Path baseDir) {
        List<List<PromptItem>> prompts = RequestParser.prompts(request, baseDir);
        GenerationConfig config = idefics.checkpointGenerationConfig()
                .withOverrides(RequestParser.generationParameters(request), true);
        return view(idefics.generate(prompts, RequestParser.processorOptions(request), config));
    }

    /** One completion as the JSON contract names its fields. */
    public static Map<String, Object> view(Completion c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prompt", c.prompt());
        out.put("ids", c.ids());
        out.put("new_ids", c.newIds());
        out.put("text", c.text());
        out.put("new_text", c.newText());
        out.put("finish_reason", c.finishReason().label());
        c.score().ifPresent(s -> out.put("score", s));
        return out;
    }

    /** {@code {"sequences": [...]}}. */
    public static Map<String, Object> view(List<Completion> completions) {
        List<Map<String, Object>> seqs = new ArrayList<>();
        completions.forEach(c -> seqs.add(view(c)));
        return Map.of("sequences", seqs);
    }

    /** The processor's view of a request, as {@code encode} prints it. */
    public static Map<String, Object> view(ModelInputs in) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prompt_strings", in.promptStrings());
        out.put("input_ids", in.inputIds());
        out.put("attention_mask", in.attentionMask());
        if (in.images() != null) {
            out.putAll(in.images().view());
        }
        out.put("images", in.imageSources());
        return out;
    }

    /**
     * One line of a {@code batch} input → its result line: {@code line}, the request's {@code id} when it has one,
     * then the sequences, or {@code error} with a message when the line is broken or cannot be answered.
     */
    public static Map<String, Object> batchLine(Idefics idefics, String line, int lineNumber, Path baseDir) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("line", lineNumber);
        try {
            if (line.isBlank()) {
                throw new IllegalArgumentException("empty line");
            }
            JsonNode request = JSON.readTree(line);
            if (request.has("id")) {
                result.put("id", JSON.treeToValue(request.get("id"), Object.class));
            }
            result.putAll(generate(idefics, request, baseDir));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            result.put("error", "invalid JSON: " + JsonErrors.describe(e));
        } catch (RuntimeException e) {
            result.put("error", e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (OutOfMemoryError e) {
            // The line's own allocations are garbage now; the run goes on with the next line.
            result.put("error", "out of memory answering this line (" + e.getMessage() + "); ask for fewer tokens, "
                    + "beams or sequences, or give the JVM more heap (-Xmx)");
        } catch (StackOverflowError e) {
            result.put("error", "the request is nested too deeply to answer");
        }
        return result;
    }

    /** The result line of a line that could not be read as text. */
    public static Map<String, Object> lineError(int lineNumber, String error) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("line", lineNumber);
        result.put("error", error);
        return result;
    }

    /** A {@code score} request ({@code prompt}, {@code continuations}) → {@code {"scores": [...]}}. */
    public static Map<String, Object> score(Idefics idefics, JsonNode request, Path baseDir) {
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
