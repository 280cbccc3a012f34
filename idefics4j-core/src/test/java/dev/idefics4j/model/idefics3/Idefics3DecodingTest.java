package dev.idefics4j.model.idefics3;

import dev.idefics4j.model.DecodingState;
import dev.idefics4j.processor.IdeficsImageInputs;
import dev.idefics4j.processor.ModelInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idefics3Model as generation drives it beyond the reference's calls: sequences of different lengths stepped together
 * ({@code stepSequences}, the server's continuous batching) give each exactly what {@code step} gives it alone, the
 * state keeps nothing of the prompt, and inputs that cannot be merged are refused by name.
 */
class Idefics3DecodingTest {
    private static final List<String> PROMPTS = List.of("processor.json#one_image", "processor.json#text_only",
            "processor.json#two_images");

    @ParameterizedTest
    @ValueSource(strings = {"tiny-idefics3", "tiny-smolvlm"})
    void aSequenceStepsTheSameAloneOrAmongOthers(String model) {
        Idefics3Model m = Idefics3Fixtures.model(model);
        int vocab = m.vocabSize();
        List<DecodingState> together = new ArrayList<>();
        List<DecodingState> alone = new ArrayList<>();
        List<int[]> masks = new ArrayList<>();
        for (String ref : PROMPTS) {
            ModelInputs in = Idefics3Fixtures.inputs(model, ref);
            DecodingState state = m.prefill(in, in.sequenceLength() + 2).state();
            assertSame(DecodingState.PromptState.NONE, state.prompt(), "the images live in the cache only");
            together.add(state);
            alone.add(m.prefill(in, in.sequenceLength() + 2).state());
            masks.add(in.attentionMask()[0]);
        }
        // A generated <image> is an ordinary token after the prefill.
        int[][] tokens = {{7, 11, 13}, {m.config().imageTokenId(), 5, 400}};
        for (int[] step : tokens) {
            int[][] stepMasks = new int[PROMPTS.size()][];
            for (int i = 0; i < stepMasks.length; i++) {
                masks.set(i, Arrays.copyOf(masks.get(i), masks.get(i).length + 1));
                masks.get(i)[masks.get(i).length - 1] = 1;
                stepMasks[i] = masks.get(i);
            }
            float[] batched = m.stepSequences(together, step, stepMasks);
            assertEquals(PROMPTS.size() * vocab, batched.length);
            for (int i = 0; i < PROMPTS.size(); i++) {
                float[] single = m.step(alone.get(i), new int[][]{{step[i]}}, new int[][]{stepMasks[i]}, false);
                assertArrayEquals(single, Arrays.copyOfRange(batched, i * vocab, (i + 1) * vocab),
                        model + " " + PROMPTS.get(i) + " token " + step[i]);
            }
        }
    }

    @Test
    void imageTokensMustMatchTheImageStates() {
        Idefics3Model m = Idefics3Fixtures.model("tiny-smolvlm");
        ModelInputs in = Idefics3Fixtures.inputs("tiny-smolvlm", "processor.json#one_image");
        int[][] ids = {in.inputIds()[0].clone()};
        int image = m.config().imageTokenId();
        for (int t = 0; t < ids[0].length; t++) {
            if (ids[0][t] == image) {
                ids[0][t] = 5;
                break;
            }
        }
        ModelInputs missing = new ModelInputs(ids, in.attentionMask(), in.images(), List.of(), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.prefill(missing, 100));
        assertTrue(e.getMessage().contains("44 <image> tokens (image_token_id 1799) but their images make 45 image "
                + "states"), e.getMessage());
    }

    @Test
    void anotherFamilysImagesAreRefused() {
        Idefics3Model m = Idefics3Fixtures.model("tiny-smolvlm");
        ModelInputs v1 = new ModelInputs(new int[][]{{1, 2}}, new int[][]{{1, 1}},
                new IdeficsImageInputs(new int[][][]{{{0}, {0}}}, null, 1), List.of(), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.prefill(v1, 4));
        assertTrue(e.getMessage().contains("these inputs hold IdeficsImageInputs"), e.getMessage());
    }
}
