package dev.idefics4j.generation;

import dev.idefics4j.processor.ModelInputs;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Multinomial sampling and beam sampling: reproducible with a seed, degenerate cases equal greedy / beam search. */
class SamplingTest {
    private static final String MODEL = "tiny";

    private static List<GenerationResult> run(String prompt, Map<String, ?> overrides) {
        GenerationConfig config = Fixtures.config(MODEL).withOverrides(overrides);
        return new Generator(Fixtures.model(MODEL)).generate(Fixtures.inputs(MODEL, prompt), config);
    }

    private static void assertSameIds(List<GenerationResult> a, List<GenerationResult> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).ids(), b.get(i).ids(), "row " + i);
        }
    }

    @Test
    void aFixedSeedRepeatsExactly() {
        Map<String, Object> settings = Map.of("do_sample", true, "temperature", 1.3, "top_k", 0, "top_p", 0.95,
                "max_new_tokens", 10, "num_return_sequences", 2, "seed", 1234);
        List<GenerationResult> first = run("processor.json#batch3_eou_false", settings);
        List<GenerationResult> second = run("processor.json#batch3_eou_false", settings);
        assertEquals(6, first.size());
        assertSameIds(first, second);
    }

    @Test
    void differentSeedsDrawDifferentTokens() {
        // Near-flat distributions over 32003 tokens: two seeds agreeing on 10 tokens of 3 rows is out of the question.
        Map<String, Object> a = Map.of("do_sample", true, "temperature", 2.0, "top_k", 0, "max_new_tokens", 10,
                "seed", 1);
        Map<String, Object> b = Map.of("do_sample", true, "temperature", 2.0, "top_k", 0, "max_new_tokens", 10,
                "seed", 2);
        List<GenerationResult> x = run("processor.json#batch3_eou_false", a);
        List<GenerationResult> y = run("processor.json#batch3_eou_false", b);
        boolean differ = false;
        for (int i = 0; i < x.size(); i++) {
            differ |= !java.util.Arrays.equals(x.get(i).ids(), y.get(i).ids());
        }
        assertTrue(differ);
    }

    @Test
    void topK1SamplingEqualsGreedy() {
        List<GenerationResult> greedy = run("processor.json#batch3_eou_false",
                Map.of("max_new_tokens", 8, "bad_words_ids", List.of(List.of(32001), List.of(32000))));
        for (long seed : new long[]{0, 7, 99}) {
            for (double temperature : new double[]{0.3, 1.0, 5.0}) {
                List<GenerationResult> sampled = run("processor.json#batch3_eou_false", Map.of("max_new_tokens", 8,
                        "bad_words_ids", List.of(List.of(32001), List.of(32000)), "do_sample", true, "top_k", 1,
                        "temperature", temperature, "seed", seed));
                assertSameIds(greedy, sampled);
            }
        }
    }

    @Test
    void minPOneKeepsOnlyTheBestTokenSoItEqualsGreedy() {
        List<GenerationResult> greedy = run("processor.json#text_image_text", Map.of("max_new_tokens", 6));
        List<GenerationResult> sampled = run("processor.json#text_image_text",
                Map.of("max_new_tokens", 6, "do_sample", true, "top_k", 0, "min_p", 1.0, "seed", 5));
        assertSameIds(greedy, sampled);
    }

    @Test
    void returnSequencesComePromptByPrompt() {
        List<GenerationResult> out = run("processor.json#batch3_eou_false", Map.of("do_sample", true,
                "max_new_tokens", 4, "num_return_sequences", 3, "seed", 3));
        assertEquals(9, out.size());
        for (int i = 0; i < out.size(); i++) {
            assertEquals(i / 3, out.get(i).prompt());
        }
        ModelInputs in = Fixtures.inputs(MODEL, "processor.json#batch3_eou_false");
        for (int i = 0; i < out.size(); i++) {
            int[] prompt = java.util.Arrays.copyOf(out.get(i).ids(), in.sequenceLength());
            assertArrayEquals(in.inputIds()[i / 3], prompt, "row " + i + " continues its own prompt");
        }
    }

    @Test
    void beamSamplingRepeatsWithASeedAndScoresItsBeams() {
        Map<String, Object> settings = Map.of("do_sample", true, "num_beams", 3, "num_return_sequences", 2,
                "max_new_tokens", 6, "temperature", 1.5, "seed", 42);
        List<GenerationResult> first = run("processor.json#text_image_text", settings);
        List<GenerationResult> second = run("processor.json#text_image_text", settings);
        assertSameIds(first, second);
        assertEquals(2, first.size());
        assertTrue(first.get(0).score().orElseThrow() >= first.get(1).score().orElseThrow());
    }

    @Test
    void beamSamplingRejectsFiltersThatLeaveTooFewCandidates() {
        // top_k 1 keeps 2 tokens per beam (one eos + 1); at the first step only beam 0 is live, so 2 tokens cannot
        // supply the 4 candidates that 2 beams need. The reference's multinomial fails there as well.
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> run("processor.json#text_image_text", Map.of("do_sample", true, "num_beams", 2,
                        "max_new_tokens", 5, "top_k", 1, "seed", 11)));
        assertTrue(e.getMessage().contains("top_k"), e.getMessage());
    }
}
