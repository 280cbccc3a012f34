package dev.idefics4j.generation;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.processor.IdeficsImageInputs;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.ProcessorInputs;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The tiny checkpoints and reference processor inputs for the generation tests, loaded once per JVM. */
final class Fixtures {
    static final String[] MODELS = {"tiny", "tiny-80b-style", "tiny-noresampler"};
    private static final Map<String, IdeficsModel> LOADED = new HashMap<>();
    private static final Map<String, Map<String, JsonNode>> GENERATE = new HashMap<>();
    /** generate.json holds -Infinity scores (Python's json), which strict JSON readers refuse. */
    private static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private Fixtures() {
    }

    /** Shared for the whole test run (memory-mapped weights; closed when the JVM exits). */
    static synchronized IdeficsModel model(String name) {
        return LOADED.computeIfAbsent(name, n -> IdeficsModel.load(TestData.model(n)));
    }

    /** The cases of {@code reference/<model>/generate.json} by id. */
    static synchronized Map<String, JsonNode> generateCases(String model) {
        return GENERATE.computeIfAbsent(model, m -> {
            Path file = TestData.reference(m + "/generate.json");
            try {
                Map<String, JsonNode> out = new LinkedHashMap<>();
                for (JsonNode c : LENIENT.readTree(Files.readAllBytes(file)).get("cases")) {
                    out.put(c.get("id").asText(), c);
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** (model, case id) of every model's generate.json cases, or of the named ones only. */
    static Stream<Arguments> generateArguments(String... only) {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String model : MODELS) {
            for (String id : generateCases(model).keySet()) {
                if (only.length == 0 || List.of(only).contains(id)) {
                    b.add(Arguments.of(model, id));
                }
            }
        }
        return b.build();
    }

    /** A generate.json case: its reference values, its processor inputs and its call's generation config. */
    record Call(JsonNode reference, ModelInputs inputs, GenerationConfig config) {
    }

    static Call call(String model, String caseId) {
        JsonNode c = generateCases(model).get(caseId);
        return new Call(c, inputs(model, c.get("inputs_from").asText()),
                config(model).withOverrides(c.get("call").get("kwargs"), true));
    }

    static GenerationConfig config(String model) {
        return GenerationConfig.load(TestData.model(model));
    }

    /** A reference processor case ({@code "processor.json#text_image_text"}) as generation inputs. */
    static ModelInputs inputs(String model, String ref) {
        ProcessorInputs p = ProcessorInputs.load(model, ref);
        return new ModelInputs(p.inputIds(), p.attentionMask(),
                new IdeficsImageInputs(p.imageAttentionMask(), p.pixelValues(), p.numImages()), List.of(), List.of());
    }

    /** The IDEFICS image tensors of fixture inputs. */
    static IdeficsImageInputs images(ModelInputs in) {
        return (IdeficsImageInputs) in.images();
    }

    /** One prompt row of a batch case, with its left padding removed. */
    static ModelInputs row(ModelInputs batch, int row) {
        int[] mask = batch.attentionMask()[row];
        int start = 0;
        while (mask[start] == 0) {
            start++;
        }
        int len = mask.length - start;
        int[][] ids = {java.util.Arrays.copyOfRange(batch.inputIds()[row], start, mask.length)};
        int[][] m = {java.util.Arrays.copyOfRange(mask, start, mask.length)};
        IdeficsImageInputs images = images(batch);
        int[][][] im = {java.util.Arrays.copyOfRange(images.imageAttentionMask()[row], start, mask.length)};
        int imageFloats = images.pixelValues().length / batch.batchSize();
        float[] pv = java.util.Arrays.copyOfRange(images.pixelValues(), row * imageFloats, (row + 1) * imageFloats);
        return new ModelInputs(ids, m, new IdeficsImageInputs(im, pv, images.maxImages()), List.of(), List.of());
    }
}
