package dev.idefics4j.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry finds a checkpoint's family by model_type alone and names what it cannot run. */
class ModelFamiliesTest {
    @TempDir
    Path dir;

    @Test
    void aV1CheckpointLoadsThroughItsFamily() {
        Path tiny = TestData.model("tiny");
        ModelFamily family = ModelFamilies.of(tiny);
        assertEquals("idefics", family.modelType());
        try (VisionLanguageModel model = family.load(tiny, (c, name, shape) -> c.weight(name, shape), true)) {
            assertEquals(32003, model.vocabSize());
            assertEquals("idefics", model.describe().get("model_type"));
            assertTrue(((IdeficsModel) model).bf16KvCache());
        }
        assertEquals(32003, family.processor(tiny, null, new ImageLoader()).tokenizer().vocabSize());
    }

    @Test
    void anUnknownModelTypeIsNamedWithTheSupportedOnes() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llava\", \"hidden_size\": 8}");
        String m = assertThrows(CheckpointException.class, () -> ModelFamilies.of(dir)).getMessage();
        assertTrue(m.contains("\"llava\"") && m.contains("\"idefics\"") && m.contains("config.json"), m);
        String missing = assertThrows(CheckpointException.class,
                () -> ModelFamilies.of(new ObjectMapper().readTree("{}"), "x/config.json")).getMessage();
        assertTrue(missing.contains("model_type") && missing.contains("x/config.json"), missing);
        String none = assertThrows(CheckpointException.class, () -> ModelFamilies.of(dir.resolve("absent")))
                .getMessage();
        assertTrue(none.contains("config.json"), none);
    }

    @Test
    void publishedConfigsComeFromTheirFamily() {
        assertEquals("idefics", ModelFamilies.publishedConfig("idefics-9b").get("model_type").asText());
        String m = assertThrows(CheckpointException.class, () -> ModelFamilies.publishedConfig("gpt-2"))
                .getMessage();
        assertTrue(m.contains("idefics-80b-instruct"), m);
    }
}
