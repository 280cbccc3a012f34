package dev.idefics4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.generation.FinishReason;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The OpenAI-compatible routes: {@code POST /v1/chat/completions} and {@code POST /v1/completions} (streaming or
 * not), {@code GET /v1/models} and {@code GET /v1/models/{id}}. Sampling follows OpenAI's defaults (temperature 1,
 * top_p 1, no top-k); {@code temperature: 0} is greedy search. Text completions take the prompt as written, images
 * as TGI's markdown {@code ![](url)}, which is what Hugging Face's inference clients send there.
 */
final class OpenAiApi {
    private final Backend backend;

    OpenAiApi(Backend backend) {
        this.backend = backend;
    }

    /** The two API shapes: chat (messages in, a message out) and text completions (a prompt in, text out). */
    private enum Shape {
        CHAT("chatcmpl-", "chat.completion", "chat.completion.chunk"),
        TEXT("cmpl-", "text_completion", "text_completion");

        final String idPrefix;
        final String object;
        final String chunkObject;

        Shape(String idPrefix, String object, String chunkObject) {
            this.idPrefix = idPrefix;
            this.object = object;
            this.chunkObject = chunkObject;
        }
    }

    /**
     * What a request asks for besides its prompt.
     *
     * @param echo text put before each choice's text (the prompt, for text completions with {@code echo})
     */
    private record Options(Shape shape, boolean stream, boolean includeUsage, List<String> stop, String echo) {
    }

    void models(Context ctx) {
        ctx.json(Map.of("object", "list", "data", List.of(model())));
    }

    /** {@code GET /v1/models/{id}}: the served model, or OpenAI's 404 for any other id. */
    void model(Context ctx, String id) {
        if (!id.equals(backend.modelName())) {
            throw new ApiError(ApiError.Kind.NOT_FOUND, "the model '" + id + "' does not exist; this server serves '"
                    + backend.modelName() + "'", "model", "model_not_found");
        }
        ctx.json(model());
    }

    private Map<String, Object> model() {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", backend.modelName());
        model.put("object", "model");
        model.put("created", 0);
        model.put("owned_by", "idefics4j");
        return model;
    }

    /** Returns the outcome for the metrics: "success" or "cancelled". */
    String chatCompletions(Context ctx, long arrival) throws IOException {
        JsonNode req = JsonBody.read(ctx.req(), backend.config().maxRequestBytes());
        Params p = new Params(req, "");
        List<PromptPart> prompt = backend.preparer().chatPrompt(ChatPrompt.messages(req.get("messages")));
        p.unsupported("logprobs", false);
        p.unsupported("top_logprobs", 0);
        if (req.hasNonNull("tools") && !req.get("tools").isEmpty()) {
            throw ApiError.invalid("tools", "tools are not supported by this model");
        }
        String format = req.path("response_format").path("type").asText("text");
        if (!format.equals("text")) {
            throw ApiError.invalid("response_format", "response_format " + format + " is not supported; only text");
        }
        return run(ctx, arrival, req, p, prompt, "messages", Shape.CHAT, "");
    }

    /**
     * {@code POST /v1/completions}: one prompt (a string, or a list holding one), images as markdown; {@code echo}
     * puts the prompt before the text. Returns the outcome for the metrics.
     */
    String completions(Context ctx, long arrival) throws IOException {
        JsonNode req = JsonBody.read(ctx.req(), backend.config().maxRequestBytes());
        Params p = new Params(req, "");
        String text = completionPrompt(req.get("prompt"));
        List<PromptPart> prompt = TgiPrompt.of(text, "prompt");
        p.unsupported("logprobs", 0);
        p.unsupported("best_of", 1);
        if (req.hasNonNull("suffix") && !req.get("suffix").asText().isEmpty()) {
            throw ApiError.invalid("suffix", "suffix is not supported: this model only continues a prompt");
        }
        if (req.hasNonNull("logit_bias") && !req.get("logit_bias").isEmpty()) {
            throw ApiError.invalid("logit_bias", "logit_bias is not supported by this server; leave it out");
        }
        return run(ctx, arrival, req, p, prompt, "prompt", Shape.TEXT, p.bool("echo", false) ? text : "");
    }

    private static String completionPrompt(JsonNode prompt) {
        if (prompt != null && prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            return prompt.get(0).asText();
        }
        if (prompt == null || !prompt.isTextual()) {
            boolean strings = prompt != null && prompt.isArray() && !prompt.isEmpty()
                    && prompt.valueStream().allMatch(JsonNode::isTextual);
            throw ApiError.invalid("prompt", "prompt must be a string (or a list of one string), images as "
                    + "![](url); " + (strings ? "send one request per prompt" : "token ids are not supported"));
        }
        return prompt.asText();
    }

    /** The sampling parameters both routes share, then the job and its answer, whole or streamed. */
    private String run(Context ctx, long arrival, JsonNode req, Params p, List<PromptPart> prompt, String promptParam,
                       Shape shape, String echo) {
        p.unsupported("presence_penalty", 0);
        p.unsupported("frequency_penalty", 0);
        int maxTokensLimit = backend.config().maxTotalTokens();
        Integer maxTokens = p.has("max_completion_tokens") ? p.integer("max_completion_tokens", 1, maxTokensLimit)
                : p.integer("max_tokens", 1, maxTokensLimit);
        String maxName = p.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        Double temperature = p.number("temperature", 0, false, 2);
        Double topP = p.number("top_p", 0, true, 1);
        // Extensions other OpenAI-compatible servers take (vLLM; TGI's names, which Hugging Face's clients send).
        Integer topK = p.integer("top_k", 0, Integer.MAX_VALUE);
        Double penalty = p.number("repetition_penalty", 0, true, 100);
        boolean doSample = p.bool("do_sample", true);
        // vLLM's extension: no end of sequence (or stop string) before this many tokens.
        Integer minTokens = p.integer("min_tokens", 0, maxTokens == null ? maxTokensLimit : maxTokens);
        Integer n = p.integer("n", 1, backend.config().maxChoices());
        Long seed = p.longValue("seed");
        List<String> stop = p.strings("stop", 4);
        Options options = new Options(shape, p.bool("stream", false),
                req.path("stream_options").path("include_usage").asBoolean(false), stop, echo);

        Map<String, Object> parameters = new LinkedHashMap<>();
        boolean sample = doSample && (temperature == null || temperature > 0);
        parameters.put("do_sample", sample);
        if (sample) {
            parameters.put("temperature", temperature == null ? 1.0 : temperature);
            parameters.put("top_k", topK == null ? 0 : topK);
            parameters.put("top_p", topP == null ? 1.0 : topP);
            parameters.put("seed", seed);
        }
        if (penalty != null) {
            parameters.put("repetition_penalty", penalty);
        }
        parameters.put("num_return_sequences", n == null ? 1 : n);
        if (minTokens != null) {
            parameters.put("min_new_tokens", minTokens);
        }
        if (stop != null) {
            parameters.put("stop", stop);
        }
        Job job = backend.start(ctx, arrival, gone -> backend.preparer().prepare(prompt, parameters, maxTokens,
                maxName, promptParam, false, gone));
        String id = shape.idPrefix + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        return options.stream() ? stream(ctx, job, id, created, options) : complete(ctx, job, id, created, options);
    }

    private String complete(Context ctx, Job job, String id, long created, Options options) {
        JobEvent.Ending[] endings = new JobEvent.Ending[job.choices()];
        int left = endings.length;
        while (left > 0) {
            JobEvent e = next(job);
            if (e instanceof JobEvent.Failed(ApiError error)) {
                throw error;
            }
            if (e instanceof JobEvent.Token t && t.end() != null) {
                endings[t.choice()] = t.end();
                left--;
            }
        }
        List<Map<String, Object>> choices = new ArrayList<>();
        int completionTokens = 0;
        for (int i = 0; i < endings.length; i++) {
            ChoiceText text = choiceText(options);
            text.add(endings[i].text());
            Map<String, Object> choice = new LinkedHashMap<>();
            if (options.shape() == Shape.CHAT) {
                Map<String, Object> message = new LinkedHashMap<>();
                message.put("role", "assistant");
                message.put("content", text.text());
                message.put("refusal", null);
                choice.put("index", i);
                choice.put("message", message);
            } else {
                choice.put("text", options.echo() + text.text());
                choice.put("index", i);
            }
            choice.put("logprobs", null);
            choice.put("finish_reason", finishReason(endings[i].reason()));
            choices.add(choice);
            completionTokens += endings[i].tokens().length;
        }
        Map<String, Object> body = envelope(id, options.shape().object, created);
        body.put("choices", choices);
        body.put("usage", usage(job.request.promptTokens(), completionTokens));
        ctx.json(body);
        return "success";
    }

    private String stream(Context ctx, Job job, String id, long created, Options options) {
        EventStream events = new EventStream(ctx.res());
        ChoiceText[] texts = new ChoiceText[job.choices()];
        int left = texts.length;
        int completionTokens = 0;
        try {
            for (int i = 0; i < texts.length; i++) {
                texts[i] = choiceText(options);
                if (options.shape() == Shape.CHAT) {
                    events.send(chunk(id, created, i, Map.of("role", "assistant", "content", ""), null, options));
                } else if (!options.echo().isEmpty()) {
                    events.send(chunk(id, created, i, options.echo(), null, options));
                }
            }
            while (left > 0) {
                switch (next(job)) {
                    case JobEvent.Token t -> {
                        ChoiceText text = texts[t.choice()];
                        String delta = text.add(t.text()) + (t.end() == null ? "" : text.finish());
                        if (!delta.isEmpty()) {
                            events.send(chunk(id, created, t.choice(), options.shape() == Shape.CHAT
                                    ? Map.of("content", delta) : delta, null, options));
                        }
                        if (t.end() != null) {
                            events.send(chunk(id, created, t.choice(), options.shape() == Shape.CHAT ? Map.of() : "",
                                    finishReason(t.end().reason()), options));
                            completionTokens += t.end().tokens().length;
                            left--;
                        }
                    }
                    case JobEvent.Failed(ApiError error) -> {
                        events.send(error.openAiBody());
                        return error.kind().outcome;
                    }
                }
            }
            if (options.includeUsage()) {
                Map<String, Object> last = envelope(id, options.shape().chunkObject, created);
                last.put("choices", List.of());
                last.put("usage", usage(job.request.promptTokens(), completionTokens));
                events.send(last);
            }
            events.done();
            return "success";
        } catch (IOException e) {
            job.cancel(); // the client went away: its sequences leave the batch at the next step
            return "cancelled";
        }
    }

    /** Chat answers drop the space the model writes after "Assistant:"; a text completion is the text as made. */
    private static ChoiceText choiceText(Options options) {
        return new ChoiceText(options.stop(), options.shape() == Shape.CHAT);
    }

    /**
     * Waits for the job's next event; a server that stops fails the job, so this cannot wait forever, and a job
     * cancelled because its client hung up ends the wait (the engine sends it no more events).
     */
    static JobEvent next(Job job) {
        try {
            JobEvent e;
            do {
                if (job.clientGone.getAsBoolean()) {
                    job.cancel(); // its sequences leave the batch at the next step
                }
                if (job.cancelled()) {
                    throw new ApiError(ApiError.Kind.CANCELLED, "the client closed the connection");
                }
                e = job.next(100);
            } while (e == null);
            return e;
        } catch (InterruptedException ie) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new ApiError(ApiError.Kind.UNAVAILABLE, "interrupted while waiting for generation");
        }
    }

    /** One streamed event of a choice: a chat delta ({@code delta}) or a piece of text ({@code text}). */
    private Map<String, Object> chunk(String id, long created, int index, Object delta, String finish,
                                      Options options) {
        Map<String, Object> choice = new LinkedHashMap<>();
        if (options.shape() == Shape.CHAT) {
            choice.put("index", index);
            choice.put("delta", delta);
        } else {
            choice.put("text", delta);
            choice.put("index", index);
        }
        choice.put("logprobs", null);
        choice.put("finish_reason", finish);
        Map<String, Object> body = envelope(id, options.shape().chunkObject, created);
        body.put("choices", List.of(choice));
        return body;
    }

    private Map<String, Object> envelope(String id, String object, long created) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", object);
        body.put("created", created);
        body.put("model", backend.modelName());
        body.put("system_fingerprint", "idefics4j");
        return body;
    }

    private static Map<String, Object> usage(int prompt, int completion) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return usage;
    }

    private static String finishReason(FinishReason reason) {
        return reason == FinishReason.LENGTH ? "length" : "stop";
    }
}
