package dev.idefics4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.Idefics;
import dev.idefics4j.Labels;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.request.RequestParser;
import dev.idefics4j.tokenizer.Padding;

import java.nio.file.Path;
import java.util.List;

/**
 * A row made ready to run. Every row becomes a {@code generate} request — the guide's prompt and the facade's settings
 * for a task, or the raw request — whose options go through {@link RequestParser} exactly as the {@code batch}
 * command's lines do, so a row gets what the equivalent {@code batch} line gets.
 *
 * @param image  the image of a guide task (for ranking); null for a raw prompt
 * @param labels the categories of {@code classify}; null otherwise
 */
record PreparedRequest(RequestRow row, Task task, List<List<PromptItem>> prompts, ImageSource image,
                       List<String> labels, ProcessorOptions processorOptions, GenerationConfig config) {

    static PreparedRequest of(RequestRow row, Idefics idefics, Path baseDir) {
        if (row.invalid() != null) {
            throw new IllegalArgumentException(row.invalid());
        }
        Task task = Task.of(row.task(), row.prompt() != null);
        if (row.ranked() && task != Task.CLASSIFY) {
            throw new IllegalArgumentException("ranked applies to the classify task only, not " + task.label());
        }
        ObjectNode request;
        List<List<PromptItem>> prompts;
        ImageSource image = null;
        List<String> labels = null;
        if (task == Task.PROMPT) {
            request = rawRequest(row.prompt());
            request.setAll(row.options());
            prompts = RequestParser.prompts(request, baseDir);
        } else {
            image = image(row, baseDir);
            if (task == Task.CLASSIFY) {
                labels = row.labels();
                Labels.require(labels);
            }
            prompts = List.of(task.prompt(idefics.prompts(), image, row.text(), labels));
            request = taskDefaults(idefics, task, row.text());
            request.setAll(row.options());
        }
        ProcessorOptions processorOptions = RequestParser.processorOptions(request);
        GenerationConfig config = idefics.checkpointGenerationConfig()
                .withOverrides(RequestParser.generationParameters(request), true);
        return new PreparedRequest(row, task, prompts, image, labels, processorOptions, config);
    }

    /** Whether it scores the labels instead of generating. */
    boolean ranked() {
        return row.ranked();
    }

    /**
     * Whether it can share a left-padded batch and still get what it gets alone: greedy search under
     * {@code max_new_tokens}, and nothing that reads the padded prompt (its length under {@code max_length} or
     * {@code min_length}, its tokens under the repetition penalties). Sampling and beam search run alone.
     */
    boolean batchable() {
        return !config.doSample() && config.numBeams() == 1 && config.maxNewTokens() != null
                && (config.minNewTokens() != null || config.minLength() == 0)
                && config.repetitionPenalty() == 1.0 && config.noRepeatNgramSize() == 0
                && processorOptions.padding() == Padding.LONGEST;
    }

    /** Requests with equal keys run under the same settings and may share a batch. */
    String batchKey() {
        return processorOptions + "|" + config;
    }

    /** A raw prompt cell: a whole request (an object), or one prompt's items. */
    private static ObjectNode rawRequest(JsonNode prompt) {
        if (prompt.isObject()) {
            return ((ObjectNode) prompt).deepCopy();
        }
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.set("prompt", prompt);
        return request;
    }

    /** The facade's settings for a task: the guide's banned image tokens and the task's token budget. */
    private static ObjectNode taskDefaults(Idefics idefics, Task task, String text) {
        ObjectNode defaults = JsonNodeFactory.instance.objectNode();
        ArrayNode bad = defaults.putArray("bad_words_ids");
        for (int[] ids : idefics.guideConfig().badWordsIds()) {
            ArrayNode seq = bad.addArray();
            for (int id : ids) {
                seq.add(id);
            }
        }
        if (idefics.prompts().chat()) {
            // A chat turn ends at the end of the assistant's turn, as the facade's tasks stop there.
            ArrayNode eos = defaults.putArray("eos_token_id");
            for (int id : idefics.chatConfig().eosTokenId()) {
                eos.add(id);
            }
        }
        defaults.put("max_new_tokens", task.maxNewTokens(text));
        return defaults;
    }

    private static ImageSource image(RequestRow row, Path baseDir) {
        return switch (row.image()) {
            case null -> throw new IllegalArgumentException("no image: the image column is empty");
            case String s when s.isBlank() -> throw new IllegalArgumentException("no image: the image column is empty");
            case String s -> RequestParser.imageSource(s, baseDir);
            case byte[] bytes -> ImageSource.bytes(bytes, "row " + row.row() + " image (" + bytes.length + " bytes)");
            default -> throw new IllegalArgumentException("the image column must hold a path, URL or bytes, not "
                    + row.image().getClass().getSimpleName());
        };
    }
}
