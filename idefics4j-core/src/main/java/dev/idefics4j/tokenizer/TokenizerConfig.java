package dev.idefics4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What transformers reads from {@code tokenizer_config.json}, {@code special_tokens_map.json} and
 * {@code added_tokens.json}: the special tokens, the added tokens with their ids, and the encoding options. Every file is
 * optional; missing values take the defaults of the {@link TokenizerClass} that reads the folder.
 */
final class TokenizerConfig {
    static final String CONFIG_FILE = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_MAP_FILE = "special_tokens_map.json";
    static final String ADDED_TOKENS_FILE = "added_tokens.json";
    /** transformers' "no limit" for {@code model_max_length}. */
    static final int UNLIMITED = Integer.MAX_VALUE;

    final TokenizerClass tokenizerClass;
    final SpecialTokens specialTokens;
    /** Added tokens declared by the files (not yet completed with the special tokens), by id. */
    final List<AddedToken> declaredAddedTokens;
    /** {@code null} when the file does not say. */
    final Boolean addBosToken;
    final Boolean addEosToken;
    final boolean legacy;
    final boolean addPrefixSpace;
    /** {@code null} when the file does not say. */
    final Boolean addPrefixSpaceSetting;
    /** How invalid UTF-8 decodes in the slow GPT-2 class ({@code errors}); {@code null} when the file does not say. */
    final String errors;
    final int modelMaxLength;
    /** {@code null} when the file does not say (the default differs between the flavours). */
    final Side paddingSide;
    final Side truncationSide;
    final boolean cleanUpTokenizationSpaces;

    private TokenizerConfig(Path dir, Function<String, TokenizerClass> classOf) {
        Path configFile = dir.resolve(CONFIG_FILE);
        JsonNode config = JsonFiles.readIfPresent(configFile);
        if (config == null) {
            config = JsonNodeFactory.instance.objectNode();
        }
        tokenizerClass = classOf.apply(JsonFiles.text(config, "tokenizer_class", configFile));
        addBosToken = config.has("add_bos_token") ? JsonFiles.bool(config, "add_bos_token", true, configFile) : null;
        addEosToken = config.has("add_eos_token") ? JsonFiles.bool(config, "add_eos_token", false, configFile) : null;
        legacy = JsonFiles.bool(config, "legacy", true, configFile);
        addPrefixSpaceSetting = config.has("add_prefix_space")
                ? JsonFiles.bool(config, "add_prefix_space", false, configFile) : null;
        addPrefixSpace = addPrefixSpaceSetting != null ? addPrefixSpaceSetting : tokenizerClass.addPrefixSpace;
        errors = JsonFiles.text(config, "errors", configFile);
        cleanUpTokenizationSpaces = JsonFiles.bool(config, "clean_up_tokenization_spaces", false, configFile);
        modelMaxLength = maxLength(config.get("model_max_length"), configFile);
        String padding = JsonFiles.text(config, "padding_side", configFile);
        paddingSide = padding == null ? null : Side.parse(padding, configFile.toString(), "padding_side");
        String truncation = JsonFiles.text(config, "truncation_side", configFile);
        truncationSide = truncation == null ? Side.RIGHT : Side.parse(truncation, configFile.toString(), "truncation_side");

        String bos = specialToken(config, "bos_token", tokenizerClass.bos, configFile);
        String eos = specialToken(config, "eos_token", tokenizerClass.eos, configFile);
        String unk = specialToken(config, "unk_token", tokenizerClass.unk, configFile);
        String pad = specialToken(config, "pad_token", null, configFile);
        Set<String> additional = new LinkedHashSet<>(tokenList(config.get("additional_special_tokens"), configFile));

        Map<Integer, AddedToken> added = new TreeMap<>();
        JsonNode decoder = config.get("added_tokens_decoder");
        if (decoder != null && !decoder.isNull()) {
            readAddedTokensDecoder(decoder, configFile, added);
        } else {
            // transformers' legacy path: special_tokens_map.json overrides the config, added_tokens.json lists ids.
            Path mapFile = dir.resolve(SPECIAL_TOKENS_MAP_FILE);
            JsonNode map = JsonFiles.readIfPresent(mapFile);
            if (map != null) {
                bos = map.has("bos_token") ? specialToken(map, "bos_token", null, mapFile) : bos;
                eos = map.has("eos_token") ? specialToken(map, "eos_token", null, mapFile) : eos;
                unk = map.has("unk_token") ? specialToken(map, "unk_token", null, mapFile) : unk;
                pad = map.has("pad_token") ? specialToken(map, "pad_token", null, mapFile) : pad;
                additional.addAll(tokenList(map.get("additional_special_tokens"), mapFile));
            }
            Set<String> specials = new LinkedHashSet<>(additional);
            for (String s : new String[] {bos, eos, unk, pad}) {
                if (s != null) {
                    specials.add(s);
                }
            }
            readAddedTokensFile(dir.resolve(ADDED_TOKENS_FILE), specials, added);
        }
        specialTokens = new SpecialTokens(bos, eos, unk, pad, new ArrayList<>(additional));
        declaredAddedTokens = List.copyOf(added.values());
    }

    /**
     * Reads the folder's files.
     *
     * @param classOf the class that reads them, from the {@code tokenizer_class} they name ({@code null} when none)
     */
    static TokenizerConfig load(Path dir, Function<String, TokenizerClass> classOf) {
        return new TokenizerConfig(dir, classOf);
    }

    /** A special token given as a string or as a serialized AddedToken object ({@code {"content": ...}}). */
    private static String specialToken(JsonNode node, String field, String fallback, Path file) {
        if (!node.has(field)) {
            return fallback;
        }
        return tokenContent(node.get(field), file, field);
    }

    private static String tokenContent(JsonNode v, Path file, String what) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isObject() && v.path("content").isTextual()) {
            return v.get("content").asText();
        }
        throw new TokenizerException(file + ": " + what + " must be a string or an object with \"content\"");
    }

    private static List<String> tokenList(JsonNode v, Path file) {
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new TokenizerException(file + ": additional_special_tokens must be a list");
        }
        for (JsonNode item : v) {
            out.add(tokenContent(item, file, "additional_special_tokens entry"));
        }
        return out;
    }

    private static void readAddedTokensDecoder(JsonNode decoder, Path file, Map<Integer, AddedToken> out) {
        if (!decoder.isObject()) {
            throw new TokenizerException(file + ": added_tokens_decoder must be an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = parseId(e.getKey(), file);
            out.put(id, addedToken(e.getValue(), id, file));
        }
    }

    /** One serialized AddedToken (the objects of tokenizer_config.json and of tokenizer.json's added_tokens). */
    static AddedToken addedToken(JsonNode v, int id, Path file) {
        String content = tokenContent(v, file, "added token " + id);
        if (content == null || content.isEmpty()) {
            throw new TokenizerException(file + ": added token " + id + " has no content");
        }
        if (!v.isObject()) {
            return new AddedToken(content, id, false, false, false, false);
        }
        if (JsonFiles.bool(v, "single_word", false, file)) {
            throw new TokenizerException(file + ": added token \"" + content + "\" uses single_word, which is not supported");
        }
        boolean special = JsonFiles.bool(v, "special", false, file);
        return new AddedToken(content, id,
                JsonFiles.bool(v, "lstrip", false, file),
                JsonFiles.bool(v, "rstrip", false, file),
                JsonFiles.bool(v, "normalized", !special, file),
                special);
    }

    private static void readAddedTokensFile(Path file, Set<String> specials, Map<Integer, AddedToken> out) {
        JsonNode tokens = JsonFiles.readIfPresent(file);
        if (tokens == null) {
            return;
        }
        if (!tokens.isObject()) {
            throw new TokenizerException(file + ": must map token strings to ids");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tokens.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new TokenizerException(file + ": id of \"" + e.getKey() + "\" must be a non-negative integer");
            }
            int id = e.getValue().asInt();
            boolean special = specials.contains(e.getKey());
            out.put(id, new AddedToken(e.getKey(), id, false, false, !special, special));
        }
    }

    private static int parseId(String key, Path file) {
        try {
            int id = Integer.parseInt(key);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new TokenizerException(file + ": added_tokens_decoder key \"" + key + "\" is not a token id");
    }

    private static int maxLength(JsonNode v, Path file) {
        if (v == null || v.isNull()) {
            return UNLIMITED;
        }
        if (!v.isNumber() || v.asDouble() < 0) {
            throw new TokenizerException(file + ": model_max_length must be a non-negative number");
        }
        return v.asDouble() >= UNLIMITED ? UNLIMITED : v.asInt();
    }
}
