package dev.idefics4j.generation;

import dev.idefics4j.processor.ModelInputs;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finished-hypothesis bookkeeping and the three early-stopping rules, on numbers worked out by hand. */
class BeamHypothesesTest {

    @Test
    void keepsTheBestNumBeamsScoredByLengthPenalty() {
        BeamHypotheses h = new BeamHypotheses(2, 1.0, EarlyStopping.FALSE, 20);
        h.add(new int[]{1}, -4.0, 2, true);   // -2.0
        h.add(new int[]{2}, -3.0, 3, true);   // -1.0
        h.add(new int[]{3}, -9.0, 3, true);   // -3.0: worse than the worst kept, ignored
        assertEquals(2, h.size());
        h.add(new int[]{4}, -1.5, 3, true);   // -0.5 evicts -2.0
        assertEquals(List.of(-1.0, -0.5), h.beams().stream().map(BeamHypotheses.Hypothesis::score).toList());
        BeamHypotheses squared = new BeamHypotheses(1, 2.0, EarlyStopping.FALSE, 20);
        squared.add(new int[]{1}, -8.0, 4, true);
        assertEquals(-0.5, squared.beams().getFirst().score());
    }

    @Test
    void earlyStoppingRules() {
        BeamHypotheses never = new BeamHypotheses(1, 1.0, EarlyStopping.NEVER, 20);
        BeamHypotheses heuristic = new BeamHypotheses(1, 1.0, EarlyStopping.FALSE, 20);
        BeamHypotheses eager = new BeamHypotheses(1, 1.0, EarlyStopping.TRUE, 20);
        for (BeamHypotheses h : List.of(never, heuristic, eager)) {
            assertFalse(h.isDone(-1.0, 12, 10), "not done before num_beams hypotheses exist");
            h.add(new int[]{1}, -3.0, 2, true); // score -1.5
        }
        assertTrue(eager.isDone(-100.0, 12, 10));
        // Heuristic: best running -2.0 over 2 generated tokens = -1.0 > -1.5: could still improve.
        assertFalse(heuristic.isDone(-2.0, 12, 10));
        assertTrue(heuristic.isDone(-4.0, 12, 10));
        // "never" with a positive penalty divides by the longest possible length, 20 - 10: -4.0 / 10 = -0.4.
        assertFalse(never.isDone(-4.0, 12, 10));
        assertTrue(never.isDone(-16.0, 12, 10));
        BeamHypotheses neverNegative = new BeamHypotheses(1, -1.0, EarlyStopping.NEVER, 20);
        neverNegative.add(new int[]{1}, -3.0, 2, true); // -3 * 2 = -6
        assertTrue(neverNegative.isDone(-4.0, 12, 10)); // -4 * 2 = -8 < -6
        assertFalse(neverNegative.isDone(-2.0, 12, 10));
    }

    @Test
    void beamSearchStopsWhenEveryBeamReachedAStopString() {
        // Every fake token text contains "]": all beams match after one step. As the reference's finalize, open
        // beams shorter than max_length get the first eos id appended.
        Generator g = new Generator(Fixtures.model("tiny"), new FakeTokenizer());
        ModelInputs in = Fixtures.inputs("tiny", "processor.json#text_image_text");
        GenerationConfig c = Fixtures.config("tiny").withOverrides(Map.of("num_beams", 2, "max_new_tokens", 6,
                "stop", "]", "num_return_sequences", 2));
        List<GenerationResult> out = g.generate(in, c);
        assertEquals(2, out.size());
        for (GenerationResult r : out) {
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals(1, r.produced());
            assertEquals(in.sequenceLength() + 2, r.ids().length);
            assertEquals(2, r.ids()[r.ids().length - 1]);
            assertArrayEquals(in.inputIds()[0], java.util.Arrays.copyOf(r.ids(), in.sequenceLength()));
        }
    }
}
