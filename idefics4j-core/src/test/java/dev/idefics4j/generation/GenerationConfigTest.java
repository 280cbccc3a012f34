package dev.idefics4j.generation;

import dev.idefics4j.processor.IdeficsImageInputs;
import dev.idefics4j.processor.ModelInputs;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading, overriding and validating generation settings. */
class GenerationConfigTest {

    @Test
    void readsTheCheckpointsGenerationConfig() {
        GenerationConfig c = GenerationConfig.load(TestData.model("tiny"));
        assertArrayEquals(new int[]{2}, c.eosTokenId());
        assertEquals(0, c.padTokenId());
        assertEquals(1, c.bosTokenId());
        assertFalse(c.doSample());
        assertEquals(1, c.numBeams());
        assertNull(c.maxNewTokens());
    }

    @Test
    void withoutGenerationConfigJsonTheModelConfigsTokensAreUsed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"),
                "{\"model_type\": \"idefics\", \"bos_token_id\": 1, \"eos_token_id\": 2, \"pad_token_id\": 0}");
        GenerationConfig c = GenerationConfig.load(dir);
        assertArrayEquals(new int[]{2}, c.eosTokenId());
        assertEquals(0, c.padTokenId());
    }

    @Test
    void defaultsAreTheReferences() {
        GenerationConfig c = GenerationConfig.defaults();
        assertEquals(20, c.effectiveMaxLength(5));
        assertEquals(50, c.topK());
        assertEquals(1.0, c.temperature());
        assertEquals(1.0, c.topP());
        assertNull(c.minP());
        assertEquals(1.0, c.lengthPenalty());
        assertEquals(EarlyStopping.FALSE, c.earlyStopping());
        assertEquals(1, c.numReturnSequences());
        assertNull(c.eosTokenId());
    }

    @Test
    void maxNewTokensWinsOverMaxLengthAndCountsFromThePrompt() {
        GenerationConfig c = GenerationConfig.defaults().withOverrides(Map.of("max_length", 30, "max_new_tokens", 4));
        assertEquals(14, c.effectiveMaxLength(10));
        GenerationConfig byLength = GenerationConfig.defaults().withOverrides(Map.of("max_length", 30));
        assertEquals(30, byLength.effectiveMaxLength(10));
        GenerationConfig min = GenerationConfig.defaults().withOverrides(Map.of("min_length", 3, "min_new_tokens", 2));
        assertEquals(12, min.effectiveMinLength(10));
    }

    @Test
    void overridesUseTheReferenceNamesAndTypes() throws Exception {
        Map<String, Object> o = new HashMap<>();
        o.put("eos_token_id", List.of(32002, 7));
        o.put("bad_words_ids", List.of(List.of(32001), List.of(5, 6)));
        o.put("early_stopping", "never");
        o.put("stop", "END");
        o.put("bad_words", List.of("foo", "bar"));
        o.put("seed", 99);
        o.put("top_k", null);
        o.put("output_scores", true); // accepted and ignored
        GenerationConfig c = GenerationConfig.defaults().withOverrides(o);
        assertArrayEquals(new int[]{32002, 7}, c.eosTokenId());
        assertEquals(2, c.badWordsIds().size());
        assertArrayEquals(new int[]{5, 6}, c.badWordsIds().get(1));
        assertEquals(EarlyStopping.NEVER, c.earlyStopping());
        assertEquals(List.of("END"), c.stop());
        assertEquals(List.of("foo", "bar"), c.badWords());
        assertEquals(99L, c.seed());
        assertEquals(0, c.topK());
        GenerationConfig single = GenerationConfig.defaults().withOverrides(Map.of("eos_token_id", 2,
                "early_stopping", true));
        assertArrayEquals(new int[]{2}, single.eosTokenId());
        assertEquals(EarlyStopping.TRUE, single.earlyStopping());
        GenerationConfig fromJson = GenerationConfig.fromJson(new ObjectMapper().readTree(
                "{\"num_beams\": 3, \"length_penalty\": -1.0, \"foo_bar\": 1}"), false);
        assertEquals(3, fromJson.numBeams());
        assertEquals(-1.0, fromJson.lengthPenalty());
    }

    @Test
    void referenceFeaturesThatAreNotImplementedAreRejectedOnlyWhenTurnedOn() throws Exception {
        // A full generation_config.json lists every parameter at its default: that must load.
        GenerationConfig c = GenerationConfig.fromJson(new ObjectMapper().readTree("{\"num_beam_groups\": 1, "
                + "\"diversity_penalty\": 0.0, \"typical_p\": 1.0, \"penalty_alpha\": null, "
                + "\"renormalize_logits\": false, \"suppress_tokens\": null, \"max_new_tokens\": 3}"), false);
        assertEquals(3, c.maxNewTokens());
        rejects(Map.of("typical_p", 0.9), "typical_p", "not supported");
        rejects(Map.of("num_beam_groups", 2), "num_beam_groups");
        rejects(Map.of("penalty_alpha", 0.6), "penalty_alpha");
        rejects(Map.of("renormalize_logits", true), "renormalize_logits");
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.fromJson(
                new ObjectMapper().readTree("{\"suppress_tokens\": [1, 2]}"), false));
    }

    @Test
    void theConfigIsImmutable() {
        List<int[]> bad = new java.util.ArrayList<>(List.of(new int[]{1}));
        GenerationConfig c = GenerationConfig.builder().badWordsIds(bad).eosTokenId(2).build();
        bad.get(0)[0] = 9;
        bad.add(new int[]{3});
        c.badWordsIds().get(0)[0] = 8;
        c.eosTokenId()[0] = 7;
        assertEquals(1, c.badWordsIds().size());
        assertEquals(1, c.badWordsIds().get(0)[0]);
        assertEquals(2, c.eosTokenId()[0]);
        GenerationConfig changed = c.toBuilder().numBeams(2).build();
        assertEquals(1, c.numBeams());
        assertEquals(2, changed.numBeams());
    }

    private static void rejects(Map<String, ?> overrides, String... mentioned) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GenerationConfig.defaults().withOverrides(overrides));
        for (String m : mentioned) {
            assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' should name " + m);
        }
    }

    @Test
    void contradictoryOrOutOfRangeSettingsAreRejectedByName() {
        rejects(Map.of("num_return_sequences", 3), "num_return_sequences", "do_sample", "num_beams");
        rejects(Map.of("num_beams", 2, "num_return_sequences", 3), "num_return_sequences", "num_beams");
        rejects(Map.of("do_sample", true, "temperature", 0.0), "temperature", "do_sample");
        rejects(Map.of("do_sample", true, "temperature", -1.0), "temperature");
        rejects(Map.of("top_p", 0.0), "top_p");
        rejects(Map.of("top_p", 1.5), "top_p");
        rejects(Map.of("min_p", -0.1), "min_p");
        rejects(Map.of("top_k", -1), "top_k");
        rejects(Map.of("max_new_tokens", 0), "max_new_tokens");
        rejects(Map.of("max_length", 0), "max_length");
        rejects(Map.of("min_new_tokens", -2), "min_new_tokens");
        rejects(Map.of("min_length", -1), "min_length");
        rejects(Map.of("max_new_tokens", 3, "min_new_tokens", 5), "min_new_tokens", "max_new_tokens");
        rejects(Map.of("max_length", 10, "min_length", 12), "min_length", "max_length");
        rejects(Map.of("num_beams", 0), "num_beams");
        rejects(Map.of("num_return_sequences", 0), "num_return_sequences");
        rejects(Map.of("repetition_penalty", 0.0), "repetition_penalty");
        rejects(Map.of("no_repeat_ngram_size", -1), "no_repeat_ngram_size");
        rejects(Map.of("bad_words_ids", List.of()), "bad_words_ids");
        rejects(Map.of("bad_words_ids", List.of(List.of())), "bad_words_ids");
        rejects(Map.of("bad_words_ids", List.of(List.of(-3))), "bad_words_ids");
        rejects(Map.of("eos_token_id", -1), "eos_token_id");
        rejects(Map.of("pad_token_id", -1), "pad_token_id");
        rejects(Map.of("early_stopping", "sometimes"), "early_stopping");
        rejects(Map.of("max_new_tokens", "eight"), "max_new_tokens");
        rejects(Map.of("max_new_tokens", 2.5), "max_new_tokens");
        rejects(Map.of("stop", List.of("")), "stop");
        rejects(Map.of("num_beem", 2), "num_beem");
    }

    @Test
    void settingsThatDoNotFitThePromptOrModelAreRejectedAtGenerate() {
        Generator g = new Generator(Fixtures.model("tiny"));
        ModelInputs in = Fixtures.inputs("tiny", "processor.json#text_image_text"); // 15 tokens
        GenerationConfig base = Fixtures.config("tiny").withOverrides(Map.of("max_new_tokens", 2));
        rejectsAtGenerate(g, in, Fixtures.config("tiny").withOverrides(Map.of("max_length", 15)), null,
                "max_length", "15");
        rejectsAtGenerate(g, in, base.withOverrides(Map.of("bad_words_ids", List.of(List.of(40000)))), null,
                "bad_words_ids", "40000");
        rejectsAtGenerate(g, in, base.withOverrides(Map.of("pad_token_id", 50000)), null, "pad_token_id");
        rejectsAtGenerate(g, in, base.withOverrides(Map.of("stop", "x")), null, "stop", "tokenizer");
        rejectsAtGenerate(g, in, base.withOverrides(Map.of("bad_words", "x")), null, "bad_words", "tokenizer");
        rejectsAtGenerate(g, in, base.withOverrides(Map.of("num_beams", 2)), new GenerationListener() {
        }, "beam");
    }

    @Test
    void inputsThatDoNotFitTogetherAreRejected() {
        int[][] ids = {{1, 5, 6}};
        int[][] mask = {{1, 1, 1}};
        int[][][] attendsImage0 = {{{0}, {1}, {1}}};
        assertThrows(IllegalArgumentException.class, () -> new ModelInputs(ids, mask,
                new IdeficsImageInputs(attendsImage0, null, 0), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> ModelInputs.textOnly(ids, new int[][]{{1, 1}}));
        ModelInputs text = ModelInputs.textOnly(ids, mask);
        assertEquals(3, text.sequenceLength());
        Generator g = new Generator(Fixtures.model("tiny"));
        rejectsAtGenerate(g, ModelInputs.textOnly(new int[][]{{1, 2}, {3}}, new int[][]{{1, 1}, {1}}),
                GenerationConfig.defaults(), null, "pad the batch");
        rejectsAtGenerate(g, ModelInputs.textOnly(new int[][]{{1, 99999}}, new int[][]{{1, 1}}),
                GenerationConfig.defaults(), null, "input_ids", "99999");
    }

    @Test
    void withNeitherLimitGenerationStopsAtTheDefaultMaxLengthOf20() {
        ModelInputs in = Fixtures.inputs("tiny", "processor.json#text_image_text"); // 15 tokens
        GenerationConfig config = Fixtures.config("tiny").withOverrides(Map.of("eos_token_id", 31999));
        GenerationResult r = new Generator(Fixtures.model("tiny")).generate(in, config).getFirst();
        assertEquals(20, r.ids().length);
        assertEquals(5, r.produced());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    private static void rejectsAtGenerate(Generator g, ModelInputs in, GenerationConfig c,
                                          GenerationListener listener, String... mentioned) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.generate(in, c, listener));
        for (String m : mentioned) {
            assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' should name " + m);
        }
    }
}
