package dev.idefics4j.generation;

import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.processor.ModelInputs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Continuous batching: decoders that join a running batch at different steps, with prompts of different lengths,
 * images and settings, each produce what {@link Generator#generate} produces for their prompt alone, and leave the
 * batch as they finish.
 */
class SequenceDecoderTest {
    private static final String MODEL = "tiny";

    private record Job(ModelInputs inputs, GenerationConfig config, int joinAt) {
    }

    @Test
    void staggeredJoinsEqualSingleRuns() {
        IdeficsModel model = Fixtures.model(MODEL);
        ModelInputs batch = Fixtures.call(MODEL, "batch3_greedy").inputs();
        GenerationConfig greedy = Fixtures.config(MODEL).withOverrides(Map.of("max_new_tokens", 12));
        GenerationConfig penalised = greedy.withOverrides(Map.of("repetition_penalty", 1.3, "max_new_tokens", 7));
        GenerationConfig sampled = greedy.withOverrides(Map.of("do_sample", true, "seed", 7, "top_k", 20,
                "num_return_sequences", 2));
        List<Job> jobs = List.of(
                new Job(Fixtures.row(batch, 0), greedy, 0),
                new Job(Fixtures.row(batch, 1), penalised, 0),
                new Job(Fixtures.row(batch, 2), greedy, 3),
                new Job(Fixtures.call(MODEL, "text_only_greedy").inputs(), greedy, 5),
                new Job(Fixtures.row(batch, 1), sampled, 9));

        List<List<SequenceDecoder>> started = new ArrayList<>();
        List<SequenceDecoder> running = new ArrayList<>();
        int maxBatch = 0;
        for (int step = 0; step < 100 && (started.size() < jobs.size() || !running.isEmpty()); step++) {
            for (Job job : jobs) {
                if (job.joinAt() == step) {
                    List<SequenceDecoder> decoders = SequenceDecoder.start(model, null, job.inputs(), job.config());
                    started.add(decoders);
                    running.addAll(decoders);
                }
            }
            SequenceDecoder.step(running);
            maxBatch = Math.max(maxBatch, running.size());
            running.removeIf(SequenceDecoder::finished);
        }
        assertTrue(maxBatch >= 3, "the jobs overlapped");

        Generator generator = new Generator(model);
        for (int j = 0; j < jobs.size(); j++) {
            List<GenerationResult> alone = generator.generate(jobs.get(j).inputs(), jobs.get(j).config());
            List<SequenceDecoder> decoders = started.get(j);
            assertEquals(alone.size(), decoders.size());
            for (int i = 0; i < alone.size(); i++) {
                GenerationResult got = decoders.get(i).result();
                assertArrayEquals(alone.get(i).producedIds(), got.producedIds(), "job " + j + " sequence " + i);
                assertEquals(alone.get(i).finishReason(), got.finishReason(), "job " + j + " sequence " + i);
                assertArrayEquals(alone.get(i).ids(), got.ids(), "job " + j + " sequence " + i);
            }
        }
    }

    @Test
    void logprobsAreRecordedOnRequest() {
        IdeficsModel model = Fixtures.model(MODEL);
        GenerationConfig config = Fixtures.config(MODEL).withOverrides(Map.of("max_new_tokens", 3));
        SequenceDecoder d = SequenceDecoder.start(model, null, Fixtures.call(MODEL, "text_only_greedy").inputs(),
                config).getFirst();
        d.recordLogprobs(true);
        SequenceDecoder.step(List.of(d));
        assertTrue(d.lastLogprob() <= 0 && d.lastLogprob() > Float.NEGATIVE_INFINITY);
        assertEquals(1, d.produced());
    }

    @Test
    void rejectsBeamsAndBatches() {
        IdeficsModel model = Fixtures.model(MODEL);
        GenerationConfig beams = Fixtures.config(MODEL).withOverrides(Map.of("num_beams", 2));
        ModelInputs one = Fixtures.call(MODEL, "text_only_greedy").inputs();
        assertThrows(IllegalArgumentException.class, () -> SequenceDecoder.start(model, null, one, beams));
        ModelInputs three = Fixtures.call(MODEL, "batch3_greedy").inputs();
        assertThrows(IllegalArgumentException.class,
                () -> SequenceDecoder.start(model, null, three, Fixtures.config(MODEL)));
    }
}
