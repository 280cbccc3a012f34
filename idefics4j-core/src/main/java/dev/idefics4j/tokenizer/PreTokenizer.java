package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code pre_tokenizer} of a tokenizer.json (tokenizers' {@code PreTokenizer}): cuts a run of normalized text into
 * the pieces the vocabulary model encodes one by one. Supported: ByteLevel, Split, Digits and Sequence.
 */
interface PreTokenizer {
    /** Appends the pieces of {@code text} (non-empty) to {@code out}; empty pieces are never appended. */
    void split(String text, List<String> out);

    /** The file's pre-tokenizer, or {@code null} when it has none. */
    static PreTokenizer parse(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = JsonFiles.text(node, "type", file);
        return switch (type == null ? "" : type) {
            case "Sequence" -> {
                List<PreTokenizer> steps = new ArrayList<>();
                for (JsonNode child : JsonFiles.require(node, "pretokenizers", file)) {
                    PreTokenizer step = parse(child, file);
                    if (step != null) {
                        steps.add(step);
                    }
                }
                yield sequence(List.copyOf(steps));
            }
            case "ByteLevel" -> new ByteLevel(JsonFiles.bool(node, "add_prefix_space", true, file),
                    JsonFiles.bool(node, "use_regex", true, file));
            case "Split" -> SplitPreTokenizer.parse(node, file);
            case "Digits" -> new DigitsPreTokenizer(JsonFiles.bool(node, "individual_digits", false, file));
            default -> throw new TokenizerException(file + ": pre_tokenizer \"" + type + "\" is not supported"
                    + " (supported: ByteLevel, Split, Digits, Sequence)");
        };
    }

    /** Each step cuts every piece the previous steps made (tokenizers' pre_tokenizers Sequence). */
    static PreTokenizer sequence(List<PreTokenizer> steps) {
        return (text, out) -> {
            List<String> pieces = List.of(text);
            for (PreTokenizer step : steps) {
                List<String> next = new ArrayList<>(pieces.size() * 2);
                for (String piece : pieces) {
                    step.split(piece, next);
                }
                pieces = next;
            }
            out.addAll(pieces);
        };
    }
}
