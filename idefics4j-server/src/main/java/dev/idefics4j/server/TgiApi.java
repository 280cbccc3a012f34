package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.generation.FinishReason;
import dev.idefics4j.image.ImageFormat;
import dev.idefics4j.tokenizer.SpecialTokens;
import dev.idefics4j.tokenizer.Tokenizer;
import io.javalin.http.Context;

import java.io.IOException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The routes of Hugging Face's text-generation-inference as it served IDEFICS: {@code POST /generate} and
 * {@code POST /generate_stream} with {@code inputs} (images as markdown {@code ![](url)}) and {@code parameters}
 * under TGI's names; {@code details} adds the finish reason, token count, seed and tokens. As in TGI, sampling is on
 * when {@code do_sample} is set or any of temperature, top_k and top_p is given.
 */
final class TgiApi {
    private final Backend backend;
    private final Set<Integer> specialIds = new HashSet<>();

    TgiApi(Backend backend) {
        this.backend = backend;
        Tokenizer tok = backend.tokenizer();
        SpecialTokens s = tok.specialTokens();
        List<String> names = new ArrayList<>(s.additional());
        names.addAll(java.util.Arrays.asList(s.bos(), s.eos(), s.unk(), s.pad()));
        for (String name : names) {
            if (name != null) {
                tok.findTokenId(name).ifPresent(specialIds::add);
            }
        }
    }

    /** A parsed request: the prompt, the parameters for the engine, and what the response should hold. */
    private record Request(String inputs, List<PromptPart> prompt, Map<String, Object> parameters,
                           Integer maxNewTokens, boolean details, boolean fullText) {
    }

    void info(Context ctx) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model_id", backend.modelName());
        info.put("model_pipeline_tag", "image-text-to-text");
        info.put("max_input_tokens", backend.config().maxInputTokens());
        info.put("max_total_tokens", backend.config().maxTotalTokens());
        info.put("max_concurrent_requests", backend.config().maxQueue());
        info.put("max_batch_size", backend.config().maxBatchSize());
        info.put("router", "idefics4j");
        // Beyond TGI's fields: the limits a client (the chat page) checks before it sends an image.
        ServerConfig config = backend.config();
        info.put("max_images", config.maxImages());
        info.put("max_image_bytes", config.images().maxEncodedBytes());
        info.put("max_image_pixels", config.images().maxPixels());
        info.put("max_decode_bytes", config.maxDecodeBytes());
        info.put("max_fetches", config.maxFetches());
        info.put("max_request_bytes", config.maxRequestBytes());
        info.put("max_choices", config.maxChoices());
        info.put("image_formats", Arrays.stream(ImageFormat.values()).map(f -> f.name().toLowerCase(Locale.ROOT))
                .toList());
        ctx.json(info);
    }

    /** TGI's {@code POST /}: {@code /generate} or {@code /generate_stream} by the body's {@code stream} flag. */
    String compat(Context ctx, long arrival) {
        JsonNode body = JsonBody.read(ctx.req(), backend.config().maxRequestBytes());
        return body.path("stream").asBoolean(false) ? stream(ctx, body, arrival) : generate(ctx, body, arrival);
    }

    String generate(Context ctx, long arrival) {
        return generate(ctx, JsonBody.read(ctx.req(), backend.config().maxRequestBytes()), arrival);
    }

    String generateStream(Context ctx, long arrival) {
        return stream(ctx, JsonBody.read(ctx.req(), backend.config().maxRequestBytes()), arrival);
    }

    private String generate(Context ctx, JsonNode body, long arrival) {
        Request r = parse(body);
        Job job = start(ctx, r, arrival);
        List<Map<String, Object>> tokens = new ArrayList<>();
        while (true) {
            switch (OpenAiApi.next(job)) {
                case JobEvent.Failed(ApiError error) -> throw error;
                case JobEvent.Token t -> {
                    tokens.add(token(t));
                    if (t.end() != null) {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("generated_text", r.fullText() ? r.inputs() + t.end().text() : t.end().text());
                        if (r.details()) {
                            Map<String, Object> details = details(t.end(), job);
                            details.put("prefill", List.of());
                            details.put("tokens", tokens);
                            out.put("details", details);
                        }
                        ctx.json(out);
                        return "success";
                    }
                }
            }
        }
    }

    private String stream(Context ctx, JsonNode body, long arrival) {
        Request r = parse(body);
        Job job = start(ctx, r, arrival);
        EventStream events = new EventStream(ctx.res());
        int index = 0;
        try {
            while (true) {
                switch (OpenAiApi.next(job)) {
                    case JobEvent.Token t -> {
                        Map<String, Object> event = new LinkedHashMap<>();
                        event.put("index", index++);
                        event.put("token", token(t));
                        event.put("top_tokens", null);
                        boolean last = t.end() != null;
                        event.put("generated_text", !last ? null
                                : r.fullText() ? r.inputs() + t.end().text() : t.end().text());
                        event.put("details", last ? details(t.end(), job) : null);
                        events.send(event);
                        if (last) {
                            return "success";
                        }
                    }
                    case JobEvent.Failed(ApiError error) -> {
                        events.send(error.tgiBody());
                        return error.kind().outcome;
                    }
                }
            }
        } catch (IOException e) {
            job.cancel(); // the client went away: its sequence leaves the batch at the next step
            return "cancelled";
        }
    }

    private Job start(Context ctx, Request r, long arrival) {
        return backend.start(ctx, arrival, gone -> backend.preparer().prepare(r.prompt(), r.parameters(),
                r.maxNewTokens(), "parameters.max_new_tokens", "inputs", true, gone));
    }

    private Request parse(JsonNode body) {
        JsonNode inputs = body.get("inputs");
        if (inputs == null || !inputs.isTextual()) {
            throw ApiError.invalid("inputs", "inputs must be a string (images as ![](url))");
        }
        JsonNode node = body.path("parameters");
        if (!node.isMissingNode() && !node.isNull() && !node.isObject()) {
            throw ApiError.invalid("parameters", "parameters must be an object");
        }
        Params p = new Params(node.isObject() ? node : JsonBody.JSON.createObjectNode(), "parameters.");
        p.unsupported("best_of", 1);
        p.unsupported("decoder_input_details", false);
        p.unsupported("frequency_penalty", 0);
        p.unsupported("top_n_tokens", 0);
        p.unsupported("typical_p", 1.0);
        p.unsupported("watermark", false);
        for (String name : List.of("truncate", "grammar", "adapter_id")) {
            if (p.has(name)) {
                throw p.invalid(name, "is not supported by this server; leave it out");
            }
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        Double temperature = p.number("temperature", 0, true, 100);
        Integer topK = p.integer("top_k", 1, Integer.MAX_VALUE);
        Double topP = p.number("top_p", 0, true, 1);
        if (topP != null && topP == 1.0) {
            throw p.invalid("top_p", "must be below 1 (TGI's rule), got 1.0");
        }
        boolean sample = p.bool("do_sample", false) || temperature != null || topK != null || topP != null;
        parameters.put("do_sample", sample);
        if (sample) {
            parameters.put("temperature", temperature == null ? 1.0 : temperature);
            parameters.put("top_k", topK == null ? 0 : topK);
            parameters.put("top_p", topP == null ? 1.0 : topP);
            parameters.put("seed", p.longValue("seed"));
        }
        Double penalty = p.number("repetition_penalty", 0, true, 100);
        if (penalty != null) {
            parameters.put("repetition_penalty", penalty);
        }
        List<String> stop = p.strings("stop", 4);
        if (stop != null) {
            parameters.put("stop", stop);
        }
        // An extension (TGI has none): no end of sequence or stop string before this many tokens, as min_tokens is
        // on the OpenAI route.
        Integer minNew = p.integer("min_new_tokens", 0, backend.config().maxTotalTokens());
        if (minNew != null) {
            parameters.put("min_new_tokens", minNew);
        }
        return new Request(inputs.asText(), TgiPrompt.of(inputs.asText()), parameters,
                p.integer("max_new_tokens", 1, backend.config().maxTotalTokens()), p.bool("details", false),
                p.bool("return_full_text", false));
    }

    private Map<String, Object> token(JobEvent.Token t) {
        boolean special = specialIds.contains(t.id());
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("id", t.id());
        token.put("text", special ? backend.tokenizer().idToToken(t.id()) : t.text());
        token.put("logprob", Float.isNaN(t.logprob()) ? null : t.logprob());
        token.put("special", special);
        return token;
    }

    private static Map<String, Object> details(JobEvent.Ending f, Job job) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("finish_reason", switch (f.reason()) {
            case EOS -> "eos_token";
            case STOP -> "stop_sequence";
            case LENGTH -> "length";
        });
        details.put("generated_tokens", f.tokens().length);
        details.put("seed", job.request.seed());
        details.put("input_length", job.request.promptTokens());
        return details;
    }
}
