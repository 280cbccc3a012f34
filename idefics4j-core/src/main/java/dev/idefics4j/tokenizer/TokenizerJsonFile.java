package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tokenizer.json read with a streaming parser: the model's vocabulary (32000 entries) and merges (61249) go straight
 * into plain collections instead of a JSON tree, which keeps loading fast; everything else is kept as JSON trees.
 *
 * @param root   the top-level fields except {@code model}
 * @param model  the fields of {@code model} except {@code vocab} and {@code merges}
 * @param merges each merge as its two tokens, in file order (the order is the rank)
 */
record TokenizerJsonFile(ObjectNode root, ObjectNode model, Map<String, Integer> vocab, List<String[]> merges) {

    static TokenizerJsonFile read(Path file) {
        return JsonFiles.stream(file, p -> parse(p, file));
    }

    /** A {@code vocab.json}: token strings to ids. */
    static Map<String, Integer> readVocab(Path file) {
        return JsonFiles.stream(file, p -> {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TokenizerException(file + ": not a JSON object of token strings to ids");
            }
            return readVocab(p, file);
        });
    }

    private static TokenizerJsonFile parse(JsonParser p, Path file) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new TokenizerException(file + ": not a JSON object");
        }
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode model = null;
        Map<String, Integer> vocab = null;
        List<String[]> merges = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (!name.equals("model") || value != JsonToken.START_OBJECT) {
                root.set(name, p.readValueAsTree());
                continue;
            }
            model = JsonNodeFactory.instance.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("vocab") && t == JsonToken.START_OBJECT) {
                    vocab = readVocab(p, file);
                } else if (field.equals("merges") && t == JsonToken.START_ARRAY) {
                    merges = readMerges(p, file);
                } else {
                    model.set(field, p.readValueAsTree());
                }
            }
        }
        if (model == null || vocab == null || merges == null) {
            throw new TokenizerException(file + ": missing "
                    + (model == null ? "model" : vocab == null ? "model.vocab" : "model.merges"));
        }
        return new TokenizerJsonFile(root, model, vocab, merges);
    }

    /** Far above any real vocabulary (256k at most); ids index a dense table, so a larger one is a corrupt file. */
    static final int MAX_VOCAB_ID = (1 << 24) - 1;

    private static Map<String, Integer> readVocab(JsonParser p, Path file) throws IOException {
        Map<String, Integer> vocab = HashMap.newHashMap(32768);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
                throw new TokenizerException(file + ": vocabulary id of \"" + token + "\" is not a non-negative integer");
            }
            if (p.getLongValue() > MAX_VOCAB_ID) {
                throw new TokenizerException(file + ": vocabulary id " + p.getText() + " of \"" + token
                        + "\" is beyond " + MAX_VOCAB_ID + " (ids index a table as large as the largest id)");
            }
            vocab.put(token, p.getIntValue());
        }
        return vocab;
    }

    /** Merges as {@code "left right"} strings (older files) or {@code ["left", "right"]} pairs. */
    private static List<String[]> readMerges(JsonParser p, Path file) throws IOException {
        List<String[]> merges = new ArrayList<>(65536);
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.VALUE_STRING) {
                String s = p.getText();
                int space = s.indexOf(' ');
                if (space < 0 || s.indexOf(' ', space + 1) >= 0) {
                    throw new TokenizerException(file + ": merge " + merges.size() + " \"" + s + "\" is not two tokens");
                }
                merges.add(new String[] {s.substring(0, space), s.substring(space + 1)});
            } else if (t == JsonToken.START_ARRAY) {
                JsonNode pair = p.readValueAsTree();
                if (pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
                    throw new TokenizerException(file + ": merge " + merges.size() + " is not a pair of tokens");
                }
                merges.add(new String[] {pair.get(0).asText(), pair.get(1).asText()});
            } else {
                throw new TokenizerException(file + ": merge " + merges.size() + " is neither \"a b\" nor [a, b]");
            }
        }
        return merges;
    }
}
