package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.tokenizer.Flavor;
import dev.idefics4j.tokenizer.Tokenizer;
import dev.idefics4j.tokenizer.Tokenizers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Encode texts to token ids, or decode ids to texts, with any tokenizer (JSON in, JSON out):"
                + " {\"texts\": [...], \"add_special_tokens\": true} prints {\"input_ids\": [[...], ...]};"
                + " {\"decode\": [[ids], ...], \"skip_special_tokens\": false} prints {\"texts\": [...]}.")
final class TokenizeCommand implements Callable<Integer> {
    private static final Set<String> ENCODE_KEYS = Set.of("texts", "add_special_tokens");
    private static final Set<String> DECODE_KEYS = Set.of("decode", "skip_special_tokens");

    @Option(names = "--tokenizer", paramLabel = "PATH", required = true,
            description = "A checkpoint or tokenizer folder, or a tokenizer file: a tokenizer.json (any name),"
                    + " tokenizer.model or vocab.json; the config files of its folder apply.")
    Path tokenizer;

    @Option(names = "--flavor", paramLabel = "FLAVOR",
            description = "Which file of a folder: auto (tokenizer.json when present), json, sentencepiece"
                    + " (tokenizer.model), gpt2 (vocab.json + merges.txt) or slow (whichever of the last two the folder"
                    + " has).")
    String flavor = "auto";

    @ArgGroup(exclusive = false, multiplicity = "1")
    RequestInput input;

    @Override
    public Integer call() throws Exception {
        JsonNode request = input.read();
        System.out.println(Json.write(answer(load(), request)));
        return 0;
    }

    private Tokenizer load() {
        if (Files.isRegularFile(tokenizer)) {
            if (!flavor.equalsIgnoreCase("auto")) {
                throw new IllegalArgumentException("--flavor chooses a file of a folder; --tokenizer " + tokenizer
                        + " already is a file");
            }
            return Tokenizers.loadFile(tokenizer);
        }
        if (!Files.isDirectory(tokenizer)) {
            throw new IllegalArgumentException("--tokenizer " + tokenizer + ": no such file or folder");
        }
        if (flavor.equalsIgnoreCase("slow")) {
            List<Flavor> slow = Tokenizers.flavors(tokenizer).stream().filter(Flavor::slow).toList();
            if (slow.isEmpty()) {
                throw new IllegalArgumentException(tokenizer + ": no tokenizer.model or vocab.json for --flavor slow");
            }
            return Tokenizers.load(tokenizer, slow.getFirst());
        }
        Flavor chosen = ModelOptions.parseFlavor(flavor, "--flavor");
        return chosen == null ? Tokenizers.load(tokenizer) : Tokenizers.load(tokenizer, chosen);
    }

    static Map<String, Object> answer(Tokenizer tok, JsonNode request) {
        if (request == null || !request.isObject()) {
            throw new IllegalArgumentException("the request must be a JSON object");
        }
        boolean encode = request.has("texts");
        if (encode == request.has("decode")) {
            throw new IllegalArgumentException("the request needs either \"texts\" (to encode) or \"decode\" (ids to"
                    + " decode)");
        }
        Set<String> keys = encode ? ENCODE_KEYS : DECODE_KEYS;
        for (Iterator<String> it = request.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!keys.contains(key)) {
                throw new IllegalArgumentException("unknown request field \"" + key + "\": " + (encode
                        ? "\"texts\" takes \"add_special_tokens\"" : "\"decode\" takes \"skip_special_tokens\""));
            }
        }
        if (encode) {
            boolean addSpecialTokens = flag(request, "add_special_tokens", true);
            List<int[]> ids = new ArrayList<>();
            for (JsonNode text : list(request, "texts")) {
                if (!text.isTextual()) {
                    throw new IllegalArgumentException("\"texts\" must hold strings, got " + text);
                }
                ids.add(tok.encode(text.asText(), addSpecialTokens));
            }
            return Map.of("input_ids", ids);
        }
        boolean skipSpecialTokens = flag(request, "skip_special_tokens", false);
        List<String> texts = new ArrayList<>();
        for (JsonNode row : list(request, "decode")) {
            texts.add(tok.decode(ids(row, tok.vocabSize()), skipSpecialTokens));
        }
        return Map.of("texts", texts);
    }

    private static JsonNode list(JsonNode request, String field) {
        JsonNode v = request.get(field);
        if (!v.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a list");
        }
        return v;
    }

    private static boolean flag(JsonNode request, String field, boolean fallback) {
        JsonNode v = request.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("\"" + field + "\" must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static int[] ids(JsonNode row, int vocabSize) {
        if (!row.isArray()) {
            throw new IllegalArgumentException("\"decode\" must be a list of lists of token ids, got " + row);
        }
        int[] ids = new int[row.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = row.get(i);
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.asInt() < 0 || id.asInt() >= vocabSize) {
                throw new IllegalArgumentException("token id " + id + " is not in [0, " + vocabSize + ")");
            }
            ids[i] = id.asInt();
        }
        return ids;
    }
}
