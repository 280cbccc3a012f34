package dev.idefics4j.model.idefics3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.SiglipVisionConfig;
import dev.idefics4j.model.SiglipVisionTransformer;
import dev.idefics4j.model.VisionBatch;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.TestData;
import dev.idefics4j.testing.VisionParity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idefics3's image path (SigLIP tower, pixel shuffle, projection) against every image case of
 * {@code reference/tiny-idefics3} and {@code tiny-smolvlm}'s forward.json: patch mask and NaViT positions exact,
 * {@code vision_*}, {@code connector_pixel_shuffle} and {@code image_hidden_states} within 1e-4.
 */
class Idefics3VisionParityTest {
    private static final Map<String, Loaded> MODELS = new HashMap<>();

    private record Loaded(Checkpoint checkpoint, SiglipVisionTransformer tower, Idefics3Connector connector) {
    }

    private static synchronized Loaded model(String name) {
        return MODELS.computeIfAbsent(name, n -> {
            Path dir = TestData.model(n);
            JsonNode config = ReferenceCase.json(dir.resolve("config.json"));
            SiglipVisionConfig vision = SiglipVisionConfig.read(dir.resolve("config.json").toString(),
                    config.get("vision_config"), SiglipVisionConfig.IDEFICS3_DEFAULTS);
            Checkpoint ckpt = Checkpoint.open(dir);
            SiglipVisionTransformer tower = new SiglipVisionTransformer(vision, ckpt, "model.vision_model.");
            Idefics3Connector connector = new Idefics3Connector(ckpt, "model.connector.", vision.hiddenSize(),
                    config.get("scale_factor").asInt(), config.get("text_config").get("hidden_size").asInt());
            return new Loaded(ckpt, tower, connector);
        });
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(m -> m.checkpoint().close());
        MODELS.clear();
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String model : new String[]{"tiny-idefics3", "tiny-smolvlm"}) {
            for (String id : VisionParity.imageCases(model)) {
                b.add(Arguments.of(model, id));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} forward.json#{1}")
    @MethodSource("cases")
    void imageStatesMatchReference(String modelName, String caseId) {
        Loaded m = model(modelName);
        VisionParity ref = VisionParity.of(modelName, caseId);
        VisionBatch batch = ref.batch(m.tower().config().patchSize(), VisionBatch.PatchRule.ANY_PIXEL);

        float[] vision = ref.checkTower(m.tower(), batch);
        float[] states = m.connector().forward(vision, batch.count(), batch.patches(), ref.trace());

        ref.assertClose("image_hidden_states", states);
        boolean detailed = ref.has("vision_embeddings");
        assertTrue(!detailed || ref.assertTraced("connector_pixel_shuffle"), "pixel shuffle checked");
    }
}
