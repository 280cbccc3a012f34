package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.model.SiglipVisionConfig;
import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config.json read as transformers 4.46's Idefics2Config reads it, and bad fields named. */
class Idefics2ConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Idefics2Config parse(String json) throws Exception {
        return Idefics2Config.parse("c.json", JSON.readTree(json));
    }

    private static String error(String json) {
        return assertThrows(RuntimeException.class, () -> parse(json)).getMessage();
    }

    @Test
    void readsTheTinyCheckpoint() {
        Idefics2Config c = Idefics2Config.load(TestData.model("tiny-idefics2").resolve("config.json"));
        LlamaConfig t = c.textConfig();
        assertEquals(32003, t.vocabSize());
        assertEquals(32, t.hiddenSize());
        assertEquals(2, t.numKeyValueHeads());
        assertEquals(8, t.headDim());
        assertEquals(1e-5, t.rmsNormEps());
        assertEquals(32768, t.maxPositionEmbeddings());
        assertFalse(t.tieWordEmbeddings());
        assertNull(t.ropeScaling());
        assertEquals(4096, c.slidingWindow());
        assertEquals(4096, c.maxPositions());
        assertEquals(32001, c.imageTokenId());
        assertEquals(8, c.imageSeqLen());
        assertEquals(4, c.visionConfig().patchSize());
        assertEquals(2, c.perceiverConfig().numKeyValueHeads());
        assertEquals(1e-5, c.perceiverConfig().rmsNormEps());
        assertEquals(0, c.padTokenId());
    }

    /** Without text_config: Mistral with Idefics2Config's max positions, eps and pad id; the other parts' defaults. */
    @Test
    void absentPartsTakeIdefics2Defaults() throws Exception {
        Idefics2Config c = parse("{\"model_type\": \"idefics2\"}");
        LlamaConfig t = c.textConfig();
        assertEquals(new LlamaConfig(32000, 4096, 14336, 32, 32, 8, 128, 1e-5, 10000.0, null, 32768, false), t);
        assertEquals(4096, c.slidingWindow());
        assertEquals(0, c.padTokenId());
        assertEquals(SiglipVisionConfig.IDEFICS2_DEFAULTS, c.visionConfig());
        // The perceiver's default width (4096) is the text model's, so its eps is its own default.
        assertEquals(4096, c.perceiverConfig().hiddenSize());
        assertEquals(64, c.imageSeqLen());
        assertEquals(32001, c.imageTokenId());
    }

    /** A text_config given takes MistralConfig's own defaults (131072 positions, eps 1e-6, no pad id). */
    @Test
    void aGivenTextConfigTakesMistralDefaults() throws Exception {
        Idefics2Config c = parse("{\"text_config\": {\"hidden_size\": 64, \"num_attention_heads\": 16}}");
        assertEquals(131072, c.textConfig().maxPositionEmbeddings());
        assertEquals(1e-6, c.textConfig().rmsNormEps());
        assertEquals(8, c.textConfig().numKeyValueHeads());
        assertEquals(4, c.textConfig().headDim());
        assertNull(c.padTokenId());
        // Explicit nulls keep MistralConfig's fallbacks: kv heads = heads; no sliding window.
        Idefics2Config nulls = parse("{\"text_config\": {\"num_attention_heads\": 4, \"num_key_value_heads\": null,"
                + " \"sliding_window\": null}}");
        assertEquals(4, nulls.textConfig().numKeyValueHeads());
        assertNull(nulls.slidingWindow());
        assertEquals(131072, nulls.maxPositions());
    }

    /** Mistral's rotary embedding reads no rope_scaling; a Llama text model does. */
    @Test
    void ropeScalingCountsForLlamaOnly() throws Exception {
        String scaling = "\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0,"
                + " \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 64}";
        assertNull(parse("{\"text_config\": {" + scaling + "}}").textConfig().ropeScaling());
        Idefics2Config llama = parse("{\"text_config\": {\"model_type\": \"llama\", " + scaling + "}}");
        assertNotNull(llama.textConfig().ropeScaling());
        assertNull(llama.slidingWindow());
        assertEquals(2048, llama.maxPositions());
    }

    /** Only the top-level tie_word_embeddings ties the head (Idefics2ForConditionalGeneration.tie_weights). */
    @Test
    void theTopLevelFlagTiesTheHead() throws Exception {
        assertTrue(parse("{\"tie_word_embeddings\": true}").textConfig().tieWordEmbeddings());
        assertFalse(parse("{\"text_config\": {\"tie_word_embeddings\": true}}").textConfig().tieWordEmbeddings());
    }

    @Test
    void badFieldsAreNamed() {
        assertTrue(error("{\"text_config\": 3}").contains("'text_config' must be an object"));
        String type = error("{\"text_config\": {\"model_type\": \"gemma\"}}");
        assertTrue(type.contains("'text_config'") && type.contains("\"gemma\""), type);
        String token = error("{\"image_token_id\": \"<image>\"}");
        assertTrue(token.startsWith("c.json: field 'image_token_id'"), token);
        String kv = error("{\"text_config\": {\"num_attention_heads\": 4}}");
        assertTrue(kv.startsWith("c.json (text_config): field 'num_key_value_heads' (8)"), kv);
        String act = error("{\"text_config\": {\"hidden_act\": \"gelu\"}}");
        assertTrue(act.startsWith("c.json (text_config): field 'hidden_act'"), act);
        String window = error("{\"text_config\": {\"sliding_window\": 0}}");
        assertTrue(window.contains("'sliding_window'"), window);
        String vision = error("{\"vision_config\": {\"hidden_act\": \"relu\"}}");
        assertTrue(vision.startsWith("c.json (vision_config): field 'hidden_act'"), vision);
        assertTrue(error("{\"model_type\": \"idefics3\"}").contains("'model_type'"));
        assertTrue(assertThrows(CheckpointException.class, () -> Idefics2Config.load(TestData.model("tiny-idefics2")
                .resolve("absent.json"))).getMessage().contains("absent.json"));
    }

    @Test
    void readsTheDefaultTextConfigBack() throws Exception {
        JsonNode text = Idefics2Config.defaultTextConfig();
        assertEquals(parse("{}"), parse("{\"text_config\": " + text + "}"));
    }
}
