package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.model.RopeScaling;
import dev.idefics4j.model.SiglipVisionConfig;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Idefics3Config as transformers 4.46 reads config.json: the checkpoints' values, the defaults, the refusals. */
class Idefics3ConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode config(String model) throws IOException {
        return (ObjectNode) JSON.readTree(TestData.model(model).resolve("config.json").toFile());
    }

    @Test
    void readsTheTinyCheckpoints() {
        Idefics3Config idefics3 = Idefics3Config.load(TestData.model("tiny-idefics3").resolve("config.json"));
        assertEquals(1763, idefics3.vocabSize());
        assertEquals(2, idefics3.scaleFactor());
        assertEquals(1761, idefics3.imageTokenId());
        assertEquals(9, idefics3.imageSeqLen());
        assertEquals(128, idefics3.connectorInputDim());
        assertFalse(idefics3.tieWordEmbeddings());
        assertEquals(new RopeScaling(8, 1, 4, 64), idefics3.textConfig().ropeScaling());
        assertEquals(2, idefics3.textConfig().numKeyValueHeads());
        assertEquals(12, idefics3.textConfig().headDim());

        Idefics3Config smol = Idefics3Config.load(TestData.model("tiny-smolvlm").resolve("config.json"));
        assertEquals(4, smol.scaleFactor());
        assertEquals(9, smol.imageSeqLen());
        assertTrue(smol.tieWordEmbeddings());
        assertEquals(100000.0, smol.textConfig().ropeTheta());
    }

    @Test
    void thePublishedSmolVlm256mConfig() {
        Idefics3Config c = Idefics3Config.load(TestData.fixture("real/SmolVLM-256M-Instruct/config.json"));
        assertEquals(49280, c.vocabSize());
        assertEquals(576, c.textConfig().hiddenSize());
        assertEquals(30, c.textConfig().numHiddenLayers());
        assertEquals(3, c.textConfig().numKeyValueHeads());
        assertEquals(64, c.imageSeqLen());
        assertEquals(49190, c.imageTokenId());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(new SiglipVisionConfig(768, 3072, 12, 12, 3, 512, 16, "gelu_pytorch_tanh", 1e-6),
                c.visionConfig());
    }

    /** Only the top-level flag ties the head: tiny-smolvlm without it reloads untied, as in the reference. */
    @Test
    void theTopLevelTieWordEmbeddingsDecides() throws IOException {
        ObjectNode c = config("tiny-smolvlm");
        c.remove("tie_word_embeddings");
        assertTrue(c.get("text_config").get("tie_word_embeddings").asBoolean());
        assertFalse(Idefics3Config.parse("c.json", c).tieWordEmbeddings());
    }

    /** Without a text_config, LlamaConfig's defaults with rms_norm_eps 1e-5 (Idefics3Config's own text config). */
    @Test
    void absentPartsTakeIdefics3ConfigsDefaults() throws IOException {
        Idefics3Config c = Idefics3Config.parse("c.json", JSON.readTree("{\"model_type\": \"idefics3\", "
                + "\"image_token_id\": 31999, \"vision_config\": {\"image_size\": 364, \"patch_size\": 14}}"));
        assertEquals(2, c.scaleFactor());
        assertEquals(1e-5, c.textConfig().rmsNormEps());
        assertEquals(4096, c.textConfig().hiddenSize());
        assertEquals(32000, c.vocabSize());
        assertEquals(1152, c.visionConfig().hiddenSize());
        assertEquals(169, c.imageSeqLen());
        assertFalse(c.tieWordEmbeddings());
        assertNull(c.textConfig().ropeScaling());

        Idefics3Config given = Idefics3Config.parse("c.json", JSON.readTree("{\"text_config\": {\"vocab_size\": "
                + "128259}, \"vision_config\": {\"image_size\": 364, \"patch_size\": 14}}"));
        assertEquals(128257, given.imageTokenId());
        assertEquals(1e-6, given.textConfig().rmsNormEps(), "LlamaConfig's own default inside a text_config");
    }

    @Test
    void contradictionsAreRefusedByName() throws IOException {
        ObjectNode vocab = config("tiny-idefics3").put("vocab_size", 1800);
        assertRefused(vocab, "field 'vocab_size' (1800) contradicts text_config.vocab_size (1763)");
        ObjectNode scale = config("tiny-idefics3").put("scale_factor", 4);
        assertRefused(scale, "field 'scale_factor' (4) must divide the 6 patches per side");
        ObjectNode image = config("tiny-smolvlm").put("image_token_id", 1807);
        assertRefused(image, "field 'image_token_id' (1807) is outside the vocabulary [0, 1807)");
        ObjectNode mistral = config("tiny-idefics3");
        ((ObjectNode) mistral.get("text_config")).put("model_type", "mistral");
        assertRefused(mistral, "(text_config): field 'model_type' is \"mistral\"; supported: llama");
        ObjectNode other = config("tiny-idefics3").put("model_type", "idefics2");
        assertRefused(other, "field 'model_type' is \"idefics2\"; supported: idefics3");
    }

    private static void assertRefused(ObjectNode config, String message) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Idefics3Config.parse("c.json", config));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
