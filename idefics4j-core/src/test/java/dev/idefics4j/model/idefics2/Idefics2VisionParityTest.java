package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.SiglipVisionConfig;
import dev.idefics4j.model.SiglipVisionTransformer;
import dev.idefics4j.model.VisionBatch;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.testing.VisionParity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idefics2's image path (SigLIP tower with the all-pixels patch rule, modality projection, perceiver resampler)
 * against every image case of {@code reference/tiny-idefics2/forward.json}: patch mask and NaViT positions exact,
 * {@code vision_*}, {@code connector_modality_projection}, {@code perceiver_layer_<i>} and
 * {@code image_hidden_states} within 1e-4.
 */
class Idefics2VisionParityTest {
    private static final String MODEL = "tiny-idefics2";
    private static Checkpoint checkpoint;
    private static SiglipVisionTransformer tower;
    private static Idefics2Connector connector;

    @BeforeAll
    static void load() {
        Path dir = TestData.model(MODEL);
        String file = dir.resolve("config.json").toString();
        JsonNode config = ReferenceCase.json(dir.resolve("config.json"));
        JsonNode text = config.get("text_config");
        SiglipVisionConfig vision = SiglipVisionConfig.read(file, config.get("vision_config"),
                SiglipVisionConfig.IDEFICS2_DEFAULTS);
        Idefics2PerceiverConfig perceiver = Idefics2PerceiverConfig.read(file, config.get("perceiver_config"),
                text.get("hidden_size").asInt(), text.get("rms_norm_eps").asDouble());
        checkpoint = Checkpoint.open(dir);
        tower = new SiglipVisionTransformer(vision, checkpoint, "model.vision_model.");
        connector = new Idefics2Connector(checkpoint, "model.connector.", vision.hiddenSize(),
                text.get("hidden_size").asInt(), text.get("intermediate_size").asInt(), perceiver);
    }

    @AfterAll
    static void close() {
        checkpoint.close();
    }

    static List<String> cases() {
        return VisionParity.imageCases(MODEL);
    }

    @ParameterizedTest(name = "tiny-idefics2 forward.json#{0}")
    @MethodSource("cases")
    void imageStatesMatchReference(String caseId) {
        VisionParity ref = VisionParity.of(MODEL, caseId);
        VisionBatch batch = ref.batch(tower.config().patchSize(), VisionBatch.PatchRule.ALL_PIXELS);

        float[] vision = ref.checkTower(tower, batch);
        float[] states = connector.forward(vision, batch.count(), batch.patches(), batch.patchMask(), ref.trace());

        ref.assertClose("image_hidden_states", states);
        ref.assertTraced("connector_modality_projection");
        int layers = 0;
        while (ref.assertTraced("perceiver_layer_" + layers)) {
            layers++;
        }
        assertTrue(layers == 0 || layers == 2, "perceiver layers compared: " + layers);
    }
}
