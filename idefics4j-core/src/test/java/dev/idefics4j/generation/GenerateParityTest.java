package dev.idefics4j.generation;

import dev.idefics4j.testing.GenerateParity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

/**
 * Replays every case of {@code reference/<model>/generate.json}: the same sequences exactly, beam
 * {@code sequences_scores} within 1e-4, and for greedy / sampling the per-step top-5 processed scores within 1e-4.
 */
class GenerateParityTest {

    static Stream<Arguments> cases() {
        return Fixtures.generateArguments();
    }

    @ParameterizedTest(name = "{0} generate.json#{1}")
    @MethodSource("cases")
    void generateMatchesReference(String model, String caseId) {
        Fixtures.Call call = Fixtures.call(model, caseId);
        GenerateParity.assertMatches(new Generator(Fixtures.model(model)), call.inputs(), call.config(),
                Fixtures.model(model).vocabSize(), call.reference(), caseId);
    }
}
