package dev.idefics4j.generation;

import dev.idefics4j.processor.ModelInputs;
import com.fasterxml.jackson.databind.JsonNode;
import dev.idefics4j.testing.ReferenceCase;
import dev.idefics4j.testing.StepScores;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replays every case of {@code reference/<model>/generate.json}: the same sequences exactly, beam
 * {@code sequences_scores} within 1e-4, and for greedy / sampling the per-step top-5 processed scores within 1e-4.
 */
class GenerateParityTest {
    private static final double TOL = 1e-4;

    static Stream<Arguments> cases() {
        return Fixtures.generateArguments();
    }

    @ParameterizedTest(name = "{0} generate.json#{1}")
    @MethodSource("cases")
    void generateMatchesReference(String model, String caseId) {
        Fixtures.Call call = Fixtures.call(model, caseId);
        JsonNode c = call.reference();
        ModelInputs in = call.inputs();
        GenerationConfig config = call.config();
        boolean beams = config.numBeams() > 1;
        List<float[]> steps = new ArrayList<>();
        GenerationListener scores = new GenerationListener() {
            @Override
            public void onScores(int step, float[] s, int vocab) {
                steps.add(s.clone());
            }
        };

        List<GenerationResult> results = new Generator(Fixtures.model(model))
                .generate(in, config, beams ? null : scores);

        int[][] expected = ReferenceCase.intMatrix(c.get("sequences"));
        assertEquals(expected.length, results.size(), caseId + " number of sequences");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], results.get(i).ids(), caseId + " sequence " + i);
            assertEquals(c.get("prompt_length").asInt(), results.get(i).promptLength(), caseId + " prompt length");
        }
        if (c.has("sequences_scores")) {
            for (int i = 0; i < expected.length; i++) {
                double want = c.get("sequences_scores").get(i).asDouble();
                double got = results.get(i).score().orElseThrow();
                assertEquals(want, got, TOL, caseId + " sequences_scores[" + i + "]");
            }
        }
        if (c.has("greedy_step_top5")) {
            StepScores.assertTop5(c.get("greedy_step_top5"), steps, Fixtures.model(model).vocabSize(), TOL, caseId);
        }
    }
}
