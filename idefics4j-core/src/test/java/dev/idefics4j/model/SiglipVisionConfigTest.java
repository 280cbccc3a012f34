package dev.idefics4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SiglipVisionConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsTheCheckpointsVisionConfig() throws Exception {
        JsonNode root = ReferenceCase.json(TestData.model("tiny-smolvlm").resolve("config.json"));
        SiglipVisionConfig c = SiglipVisionConfig.read("config.json", root.get("vision_config"),
                SiglipVisionConfig.IDEFICS3_DEFAULTS);
        assertEquals(new SiglipVisionConfig(24, 48, 2, 2, 3, 24, 2, "gelu_pytorch_tanh", 1e-6), c);
        assertEquals(12, c.headDim());
        assertEquals(12, c.numPatchesPerSide());
        assertEquals(144, c.numPositions());
    }

    @Test
    void absentFieldsTakeTheFamilysDefaults() throws Exception {
        JsonNode partial = JSON.readTree("{\"image_size\": 364, \"patch_size\": 14}");
        SiglipVisionConfig idefics3 = SiglipVisionConfig.read("c.json", partial, SiglipVisionConfig.IDEFICS3_DEFAULTS);
        assertEquals(1152, idefics3.hiddenSize());
        assertEquals(16, idefics3.numAttentionHeads());
        assertEquals(26, idefics3.numPatchesPerSide());
        assertEquals(SiglipVisionConfig.IDEFICS2_DEFAULTS,
                SiglipVisionConfig.read("c.json", null, SiglipVisionConfig.IDEFICS2_DEFAULTS));
    }

    @Test
    void unsupportedOrContradictoryValuesNameTheField() throws Exception {
        CheckpointException act = assertThrows(CheckpointException.class, () -> SiglipVisionConfig.read("c.json",
                JSON.readTree("{\"hidden_act\": \"quick_gelu\"}"), SiglipVisionConfig.IDEFICS2_DEFAULTS));
        assertTrue(act.getMessage().contains("'hidden_act'") && act.getMessage().contains("gelu_pytorch_tanh"),
                act.getMessage());
        CheckpointException heads = assertThrows(CheckpointException.class, () -> SiglipVisionConfig.read("c.json",
                JSON.readTree("{\"hidden_size\": 100, \"num_attention_heads\": 16}"),
                SiglipVisionConfig.IDEFICS3_DEFAULTS));
        assertTrue(heads.getMessage().contains("'num_attention_heads'"), heads.getMessage());
        CheckpointException patch = assertThrows(CheckpointException.class, () -> SiglipVisionConfig.read("c.json",
                JSON.readTree("{\"image_size\": 16, \"patch_size\": 32}"), SiglipVisionConfig.IDEFICS3_DEFAULTS));
        assertTrue(patch.getMessage().contains("'patch_size'"), patch.getMessage());
    }
}
