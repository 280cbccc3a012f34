package dev.idefics4j.generation;

import dev.idefics4j.processor.ModelInputs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A left-padded batch generates what each prompt generates alone: for the fixtures' greedy batch cases, every row's
 * produced tokens and finish reason equal a single run of its unpadded prompt, and a row that finishes early is
 * padded with pad_token_id up to the batch's length.
 */
class BatchTest {

    static Stream<Arguments> cases() {
        return Fixtures.generateArguments("batch3_greedy", "batch3_greedy_eos_fires");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void batchEqualsSingleRuns(String model, String caseId) {
        Fixtures.Call call = Fixtures.call(model, caseId);
        ModelInputs batch = call.inputs();
        GenerationConfig config = call.config();
        Generator generator = new Generator(Fixtures.model(model));

        List<GenerationResult> together = generator.generate(batch, config);
        assertEquals(batch.batchSize(), together.size());
        int width = together.getFirst().ids().length;
        for (int r = 0; r < batch.batchSize(); r++) {
            GenerationResult row = together.get(r);
            List<GenerationResult> alone = generator.generate(Fixtures.row(batch, r), config);
            assertEquals(1, alone.size());
            assertArrayEquals(alone.getFirst().producedIds(), row.producedIds(), caseId + " row " + r);
            assertEquals(alone.getFirst().finishReason(), row.finishReason(), caseId + " row " + r);
            assertEquals(width, row.ids().length, "rows of a batch have one length");
            int[] tail = row.newIds();
            for (int i = row.produced(); i < tail.length; i++) {
                assertEquals(config.padTokenId().intValue(), tail[i], "padding after the finish of row " + r);
            }
        }
    }
}
