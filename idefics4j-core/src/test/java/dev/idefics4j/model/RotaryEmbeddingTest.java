package dev.idefics4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.ConfigReader;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text configs of the shared tiny models and the inverse frequencies their rotary embeddings compute. */
class RotaryEmbeddingTest {

    static LlamaConfig textConfig(String model) {
        JsonNode root = ReferenceCase.json(TestData.model(model).resolve("config.json"));
        return LlamaConfig.read(new ConfigReader(model + "/config.json (text_config)", root.get("text_config")));
    }

    /** tiny-idefics3: θ 500000 with llama3 scaling; tiny-smolvlm: θ 100000; tiny-idefics2: θ 10000. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-idefics3", "tiny-smolvlm", "tiny-idefics2"})
    void inverseFrequenciesMatchTheReference(String model) {
        JsonNode rope = ReferenceCase.json(TestData.reference(model + "/forward.json")).get("rope");
        float[] got = RotaryEmbedding.of(textConfig(model)).invFreq();
        JsonNode expected = rope.get("inv_freq");
        assertEquals(expected.size(), got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals((float) expected.get(i).asDouble(), got[i], 0f, model + " inv_freq[" + i + "]");
        }
    }

    @Test
    void readsGroupedQueryAttentionAndLlama3Scaling() {
        LlamaConfig c = textConfig("tiny-idefics3");
        assertEquals(4, c.numAttentionHeads());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(2, c.groupSize());
        assertEquals(12, c.headDim());
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(new RopeScaling(8, 1, 4, 64), c.ropeScaling());
        LlamaConfig smol = textConfig("tiny-smolvlm");
        assertNull(smol.ropeScaling());
        assertTrue(smol.tieWordEmbeddings());
        assertEquals(8, smol.headDim());
    }

    @Test
    void defaultsFollowTheHeads() throws Exception {
        LlamaConfig c = read("{\"hidden_size\": 64, \"num_attention_heads\": 4}");
        assertEquals(4, c.numKeyValueHeads());
        assertEquals(16, c.headDim());
        assertEquals(10000.0, c.ropeTheta());
        assertNull(c.ropeScaling());
    }

    @Test
    void rejectsOtherRopeTypesByName() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> read(
                "{\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}}"));
        assertTrue(e.getMessage().contains("yarn") && e.getMessage().contains("llama3"), e.getMessage());
        CheckpointException missing = assertThrows(CheckpointException.class, () -> read(
                "{\"rope_scaling\": {\"type\": \"llama3\", \"factor\": 8.0}}"));
        assertTrue(missing.getMessage().contains("low_freq_factor"), missing.getMessage());
        CheckpointException gqa = assertThrows(CheckpointException.class, () -> read(
                "{\"num_attention_heads\": 6, \"num_key_value_heads\": 4, \"hidden_size\": 48}"));
        assertTrue(gqa.getMessage().contains("num_key_value_heads"), gqa.getMessage());
    }

    private static LlamaConfig read(String json) throws Exception {
        return LlamaConfig.read(new ConfigReader("config.json", new ObjectMapper().readTree(json)));
    }
}
