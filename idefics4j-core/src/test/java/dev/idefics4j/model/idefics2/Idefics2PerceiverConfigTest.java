package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Idefics2PerceiverConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** tiny-idefics2 leaves hidden_size and rms_norm_eps out: the text model's 32 and 1e-5 replace 4096 and 1e-6. */
    @Test
    void takesTheTextWidthAndEpsWhenItsOwnWidthDiffers() {
        JsonNode root = ReferenceCase.json(TestData.model("tiny-idefics2").resolve("config.json"));
        Idefics2PerceiverConfig c = Idefics2PerceiverConfig.read("config.json", root.get("perceiver_config"), 32, 1e-5);
        assertEquals(new Idefics2PerceiverConfig("silu", 32, 1e-5, 8, 2, 4, 12, 2), c);
        assertEquals(2, c.numKeyValueGroups());
    }

    /** idefics2-8b: the default 4096 equals Mistral's width, so the perceiver keeps its own eps (default 1e-6). */
    @Test
    void keepsItsOwnEpsWhenTheWidthsAgree() throws Exception {
        Idefics2PerceiverConfig c = Idefics2PerceiverConfig.read("c.json",
                JSON.readTree("{\"resampler_n_latents\": 64}"), 4096, 1e-5);
        assertEquals(new Idefics2PerceiverConfig("silu", 4096, 1e-6, 64, 3, 16, 96, 4), c);
    }

    @Test
    void keyValueHeadsMustDivideTheHeads() throws Exception {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Idefics2PerceiverConfig.read("c.json",
                JSON.readTree("{\"resampler_n_heads\": 6, \"num_key_value_heads\": 4}"), 4096, 1e-5));
        assertTrue(e.getMessage().contains("'num_key_value_heads'"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Idefics2PerceiverConfig.read("c.json",
                JSON.readTree("{\"hidden_act\": \"gelu\"}"), 4096, 1e-5));
        assertTrue(e.getMessage().contains("'hidden_act'"), e.getMessage());
    }
}
