package dev.idefics4j.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.processor.PromptItem;
import dev.idefics4j.tokenizer.Padding;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The JSON request of the {@code encode}, {@code generate}, {@code batch} and {@code score} commands:
 * {@code prompts} (a list of prompts, each a list of items: a string is text — or an image when it is a URL, the
 * reference's rule — and {@code {"image": "path or URL"}} is an image) or {@code prompt} (one prompt), processor
 * options and generation parameters under the reference names. Relative image paths resolve against
 * {@code baseDir}.
 */
public final class RequestParser {
    private static final Set<String> PROCESSOR_KEYS = Set.of("padding", "max_length", "truncation", "add_eos_token",
            "add_end_of_utterance_token", "add_special_tokens", "do_image_splitting", "do_resize");

    private RequestParser() {
    }

    public static List<List<PromptItem>> prompts(JsonNode request, Path baseDir) {
        requireObject(request);
        JsonNode prompts = request.get("prompts");
        if (prompts == null && request.has("prompt")) {
            return List.of(prompt(request.get("prompt"), baseDir, "prompt"));
        }
        if (prompts == null || !prompts.isArray() || prompts.isEmpty()) {
            throw new IllegalArgumentException("the request needs \"prompts\": a non-empty list of prompts, each a "
                    + "list of items (strings and {\"image\": ...})");
        }
        List<List<PromptItem>> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            out.add(prompt(prompts.get(i), baseDir, "prompts[" + i + "]"));
        }
        return out;
    }

    public static List<PromptItem> prompt(JsonNode prompt, Path baseDir, String where) {
        if (prompt.isTextual()) {
            return List.of(PromptItem.text(prompt.asText()));
        }
        if (!prompt.isArray() || prompt.isEmpty()) {
            throw new IllegalArgumentException(where + " must be a non-empty list of items");
        }
        List<PromptItem> items = new ArrayList<>();
        for (int j = 0; j < prompt.size(); j++) {
            JsonNode item = prompt.get(j);
            if (item.isTextual()) {
                items.add(PromptItem.text(item.asText()));
            } else if (item.isObject() && item.path("image").isTextual()) {
                items.add(PromptItem.image(imageSource(item.get("image").asText(), baseDir)));
            } else if (item.isObject() && item.path("text").isTextual()) {
                items.add(PromptItem.text(item.get("text").asText()));
            } else {
                throw new IllegalArgumentException(where + "[" + j + "] must be a string or {\"image\": \"path or URL\"}"
                        + ", got " + item);
            }
        }
        return items;
    }

    public static ImageSource imageSource(String value, Path baseDir) {
        ImageSource source = ImageSource.parse(value);
        // A relative path is relative to the request's folder; an absolute one (a file: URL's) stays as it is.
        return source instanceof ImageSource.File(Path path) ? ImageSource.file(baseDir.resolve(path)) : source;
    }

    /**
     * The processor options of a request; a family's processor refuses those it cannot honour.
     * {@code max_length} counts for the processor only with {@code truncation} or {@code padding: "max_length"}
     * (otherwise it is the generation parameter); the options are built at once, since
     * {@code padding: "max_length"} is refused without its length.
     */
    public static ProcessorOptions processorOptions(JsonNode request) {
        Padding padding = ProcessorOptions.DEFAULTS.padding();
        JsonNode paddingNode = request.get("padding");
        if (paddingNode != null && !paddingNode.isNull()) {
            padding = ProcessorOptions.parsePadding(paddingNode.asText());
        }
        boolean truncation = request.has("truncation") && boolField(request, "truncation");
        Integer maxLength = request.has("max_length") && (request.has("truncation") || padding == Padding.MAX_LENGTH)
                ? Integer.valueOf(intField(request, "max_length")) : null;
        boolean addEos = request.has("add_eos_token") ? boolField(request, "add_eos_token")
                : ProcessorOptions.DEFAULTS.addEosToken();
        return new ProcessorOptions(padding, maxLength, truncation, addEos,
                optionalBool(request, "add_end_of_utterance_token"), optionalBool(request, "add_special_tokens"),
                optionalBool(request, "do_image_splitting"), optionalBool(request, "do_resize"));
    }

    /** A true/false option of the request; null when absent or null (the processor's own setting). */
    private static Boolean optionalBool(JsonNode request, String name) {
        return request.has(name) && !request.get(name).isNull() ? Boolean.valueOf(boolField(request, name)) : null;
    }

    /** The request without prompt and processor keys: what is left are generation parameters. */
    public static ObjectNode generationParameters(JsonNode request) {
        ObjectNode copy = ((ObjectNode) request).deepCopy();
        copy.remove(List.of("prompts", "prompt", "continuations", "id"));
        copy.remove(PROCESSOR_KEYS.stream().filter(k -> !k.equals("max_length")).toList());
        return copy;
    }

    public static int intField(JsonNode request, String name) {
        JsonNode v = request.get(name);
        if (!v.isIntegralNumber()) {
            throw new IllegalArgumentException("\"" + name + "\" must be an integer, got " + v);
        }
        if (!v.canConvertToInt()) { // asInt() would keep the low bits of a larger number
            throw new IllegalArgumentException("\"" + name + "\" must be an integer from " + Integer.MIN_VALUE
                    + " to " + Integer.MAX_VALUE + ", got " + v);
        }
        return v.asInt();
    }

    public static boolean boolField(JsonNode request, String name) {
        JsonNode v = request.get(name);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("\"" + name + "\" must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    public static void requireObject(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw new IllegalArgumentException("a request must be a JSON object");
        }
    }
}
