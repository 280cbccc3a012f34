package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The {@code normalizer} of a tokenizer.json: a sequence of Prepend and Replace (plain string) steps, which is what the
 * LLaMA conversion writes; other normalizers are rejected when loading.
 */
final class FastNormalizer {
    private final List<UnaryOperator<String>> steps;

    private FastNormalizer(List<UnaryOperator<String>> steps) {
        this.steps = steps;
    }

    static FastNormalizer parse(JsonNode node, Path file) {
        List<UnaryOperator<String>> steps = new ArrayList<>();
        if (node != null && !node.isNull()) {
            addSteps(node, file, steps);
        }
        return new FastNormalizer(List.copyOf(steps));
    }

    private static void addSteps(JsonNode node, Path file, List<UnaryOperator<String>> steps) {
        String type = JsonFiles.text(node, "type", file);
        switch (type == null ? "" : type) {
            case "Sequence" -> {
                for (JsonNode child : JsonFiles.require(node, "normalizers", file)) {
                    addSteps(child, file, steps);
                }
            }
            case "Prepend" -> {
                String prefix = JsonFiles.require(node, "prepend", file).asText();
                // tokenizers prepends only to non-empty text.
                steps.add(s -> s.isEmpty() ? s : prefix + s);
            }
            case "Replace" -> {
                String pattern = stringPattern(node, file, "normalizer");
                String content = JsonFiles.require(node, "content", file).asText();
                steps.add(s -> s.replace(pattern, content));
            }
            default -> throw new TokenizerException(file + ": normalizer \"" + type + "\" is not supported");
        }
    }

    /** The literal pattern of a Replace step; regex patterns are not supported. */
    static String stringPattern(JsonNode node, Path file, String what) {
        JsonNode pattern = JsonFiles.require(node, "pattern", file);
        if (!pattern.path("String").isTextual() || pattern.get("String").asText().isEmpty()) {
            throw new TokenizerException(file + ": only non-empty string patterns are supported in a Replace " + what);
        }
        return pattern.get("String").asText();
    }

    String normalize(String text) {
        for (UnaryOperator<String> step : steps) {
            text = step.apply(text);
        }
        return text;
    }
}
