package dev.idefics4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.idefics4j.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The reference cases of {@code reference/tokenizer_cases.json} (slow) and {@code tokenizer_fast_cases.json} (fast), and
 * the checks every tokenizer flavour must pass on them.
 */
final class ReferenceCases {
    static final String SLOW_FILE = "tokenizer_cases.json";
    static final String FAST_FILE = "tokenizer_fast_cases.json";
    /** The flavours of the LLaMA tokenizer folders (tokenizer.model and tokenizer.json). */
    static final List<Flavor> LLAMA_FLAVORS = List.of(Flavor.SENTENCEPIECE, Flavor.TOKENIZER_JSON);
    private static final Map<String, JsonNode> FILES = new ConcurrentHashMap<>();
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private ReferenceCases() {
    }

    static JsonNode json(Path file) {
        return FILES.computeIfAbsent(file.toString(), f -> {
            try {
                // generate.json holds -Infinity scores (masked logits).
                return JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The tokenizer folder of a case set: instruct = tokenizer/, base = tokenizer-base/. */
    static Path folder(String set) {
        return TestData.fixture(set.equals("instruct") ? "tokenizer" : "tokenizer-base");
    }

    /** One tokenizer per folder and flavour, shared by all cases. */
    static Tokenizer tokenizer(Path dir, Flavor flavor) {
        return TOKENIZERS.computeIfAbsent(dir + "|" + flavor, k -> Tokenizers.load(dir, flavor));
    }

    /** The reference file of a flavour: slow cases for tokenizer.model, fast cases for tokenizer.json. */
    static String file(Flavor flavor) {
        return flavor == Flavor.SENTENCEPIECE ? SLOW_FILE : FAST_FILE;
    }

    /**
     * (case id, flavour, set name, case) for every case of both flavours' files and both sets: the single-string cases,
     * or ({@code batch}) the padded batch case.
     */
    static Stream<Arguments> cases(boolean batch) {
        List<Arguments> out = new ArrayList<>();
        for (Flavor flavor : LLAMA_FLAVORS) {
            JsonNode sets = json(TestData.reference(file(flavor))).get("cases");
            for (String set : List.of("instruct", "base")) {
                for (JsonNode c : sets.get(set)) {
                    if (c.get("text").isArray() == batch) {
                        out.add(Arguments.of(c.get("id").asText(), flavor, set, c));
                    }
                }
            }
        }
        return out.stream();
    }

    /** (model/case, model, case) for every case in list {@code list} of each model's reference file {@code file}. */
    static Stream<Arguments> modelCases(List<String> models, String file, String list) {
        List<Arguments> out = new ArrayList<>();
        for (String model : models) {
            for (JsonNode c : json(TestData.reference(model + "/" + file)).get(list)) {
                out.add(Arguments.of(model + "/" + c.get("id").asText(), model, c));
            }
        }
        return out.stream();
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static int[][] intRows(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints(rows.get(i));
        }
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Every field of a single-string case: ids with and without specials, tokens and the three decodes. */
    static void assertSingleCase(Tokenizer tok, JsonNode c) {
        String id = tok.flavor() + " " + c.get("id").asText() + " ";
        String text = c.get("text").asText();
        int[] ids = tok.encode(text);
        int[] noSpecial = tok.encode(text, false);
        assertArrayEquals(ints(c.get("input_ids")), ids, id + "input_ids");
        assertArrayEquals(ints(c.get("input_ids_no_special")), noSpecial, id + "input_ids_no_special");
        assertEquals(strings(c.get("tokens")), tok.convertIdsToTokens(ids), id + "tokens");
        assertEquals(c.get("decode").asText(), tok.decode(ids), id + "decode");
        assertEquals(c.get("decode_skip_special").asText(), tok.decode(ids, true), id + "decode_skip_special");
        assertEquals(c.get("decode_no_special_ids").asText(), tok.decode(noSpecial), id + "decode_no_special_ids");
    }

    /** The batch case: {@code tokenizer(texts, padding="longest")} and its batch decodes. */
    static void assertBatchCase(Tokenizer tok, JsonNode c) {
        String id = tok.flavor() + " " + c.get("id").asText() + " ";
        BatchEncoding enc = tok.encodeBatch(strings(c.get("text")), EncodeOptions.defaults().withPadding(Padding.LONGEST));
        assertArrayEquals(intRows(c.get("input_ids")), enc.inputIds(), id + "input_ids");
        assertArrayEquals(intRows(c.get("attention_mask")), enc.attentionMask(), id + "attention_mask");
        assertEquals(strings(c.get("batch_decode")), tok.batchDecode(enc.inputIds(), false), id + "batch_decode");
        assertEquals(strings(c.get("batch_decode_skip_special")), tok.batchDecode(enc.inputIds(), true),
                id + "batch_decode_skip_special");
    }
}
