package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * The single-sequence template that surrounds the ids of a text with special tokens (tokenizers' TemplateProcessing,
 * e.g. {@code <s> $A}): fixed ids before and after the sequence.
 */
final class TemplatePostProcessor {
    private final int[] before;
    private final int[] after;

    TemplatePostProcessor(int[] before, int[] after) {
        this.before = before;
        this.after = after;
    }

    /** No special tokens at all (a tokenizer.json without post-processor). */
    static TemplatePostProcessor none() {
        return new TemplatePostProcessor(new int[0], new int[0]);
    }

    /** transformers' LLaMA template: {@code [bos] $A [eos]}, each when its flag is set. */
    static TemplatePostProcessor bosEos(boolean addBos, int bosId, boolean addEos, int eosId, Path file) {
        if (addBos && bosId < 0 || addEos && eosId < 0) {
            throw new TokenizerException(file + ": add_bos_token / add_eos_token is set but the token is not defined");
        }
        return new TemplatePostProcessor(addBos ? new int[] {bosId} : new int[0], addEos ? new int[] {eosId} : new int[0]);
    }

    /**
     * The file's post-processor: TemplateProcessing, ByteLevel (which only moves offsets, so adds nothing here) or a
     * Sequence of them.
     */
    static TemplatePostProcessor parse(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return none();
        }
        String type = JsonFiles.text(node, "type", file);
        return switch (type == null ? "" : type) {
            case "TemplateProcessing" -> template(node, file);
            case "ByteLevel" -> none();
            case "Sequence" -> {
                TemplatePostProcessor all = none();
                for (JsonNode child : JsonFiles.require(node, "processors", file)) {
                    all = parse(child, file).around(all);
                }
                yield all;
            }
            default -> throw new TokenizerException(file + ": post_processor \"" + type + "\" is not supported"
                    + " (supported: TemplateProcessing, ByteLevel, Sequence)");
        };
    }

    /** This template applied to the output of {@code inner}. */
    private TemplatePostProcessor around(TemplatePostProcessor inner) {
        return new TemplatePostProcessor(concat(before, inner.before), concat(inner.after, after));
    }

    private static int[] concat(int[] a, int[] b) {
        IntArrayBuilder out = new IntArrayBuilder(a.length + b.length);
        out.addAll(a);
        out.addAll(b);
        return out.toArray();
    }

    private static TemplatePostProcessor template(JsonNode node, Path file) {
        JsonNode specials = JsonFiles.require(node, "special_tokens", file);
        IntArrayBuilder before = new IntArrayBuilder(2);
        IntArrayBuilder after = new IntArrayBuilder(2);
        boolean seenSequence = false;
        for (JsonNode piece : JsonFiles.require(node, "single", file)) {
            if (piece.has("Sequence")) {
                if (seenSequence) {
                    throw new TokenizerException(file + ": the single template has more than one sequence");
                }
                seenSequence = true;
            } else if (piece.has("SpecialToken")) {
                String name = piece.get("SpecialToken").path("id").asText();
                JsonNode ids = specials.path(name).path("ids");
                if (!ids.isArray() || ids.isEmpty()) {
                    throw new TokenizerException(file + ": template token \"" + name + "\" has no ids in special_tokens");
                }
                for (JsonNode id : ids) {
                    (seenSequence ? after : before).add(id.asInt());
                }
            } else {
                throw new TokenizerException(file + ": unknown template piece " + piece);
            }
        }
        if (!seenSequence) {
            throw new TokenizerException(file + ": the single template has no sequence");
        }
        return new TemplatePostProcessor(before.toArray(), after.toArray());
    }

    int[] apply(int[] ids) {
        IntArrayBuilder out = new IntArrayBuilder(before.length + ids.length + after.length);
        out.addAll(before);
        out.addAll(ids);
        out.addAll(after);
        return out.toArray();
    }
}
