package dev.idefics4j.model.idefics2;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.generation.GenerationConfig;
import dev.idefics4j.generation.Generator;
import dev.idefics4j.model.DecodingState;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.idefics4j.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoding states Idefics2 hands generation, and what it refuses. */
class Idefics2ModelTest {
    private static final int TOKEN = 29871;

    /** A prompt prefilled, then one token. */
    private static float[] stepAlone(Idefics2Model model, ModelInputs in) {
        DecodingState state = model.prefill(in, in.sequenceLength() + 1).state();
        return model.step(state, new int[][]{{TOKEN}}, grown(in.attentionMask()[0]), false);
    }

    private static int[][] grown(int[] mask) {
        int[] m = Arrays.copyOf(mask, mask.length + 1);
        m[mask.length] = 1;
        return new int[][]{m};
    }

    /** Row i of stepSequences is the step of that sequence alone, whatever the others' lengths and images. */
    @Test
    void stepSequencesRowsAreEachSequenceAlone() {
        Idefics2Model model = Idefics2Reference.model();
        ModelInputs image = Idefics2Reference.inputs("processor.json#one_image");
        ModelInputs text = Idefics2Reference.inputs("processor.json#text_only");
        float[] together = model.stepSequences(List.of(model.prefill(image, 30).state(),
                        model.prefill(text, 30).state()), new int[]{TOKEN, TOKEN},
                new int[][]{grown(image.attentionMask()[0])[0], grown(text.attentionMask()[0])[0]});
        int vocab = model.vocabSize();
        assertClose(stepAlone(model, image), Arrays.copyOfRange(together, 0, vocab), 1e-5, "one_image row");
        assertClose(stepAlone(model, text), Arrays.copyOfRange(together, vocab, 2 * vocab), 1e-5, "text_only row");
    }

    /** The image states enter at the prefill only: a state split into rows keeps decoding as the batch did. */
    @Test
    void splitRowsDecodeAsTheBatch() {
        Idefics2Model model = Idefics2Reference.model();
        ModelInputs batch = Idefics2Reference.inputs("processor.json#batch3");
        int rows = batch.batchSize();
        int[][] ids = new int[rows][];
        int[][] masks = new int[rows][];
        for (int b = 0; b < rows; b++) {
            ids[b] = new int[]{TOKEN};
            masks[b] = grown(batch.attentionMask()[b])[0];
        }
        float[] batched = model.step(model.prefill(batch, 40).state(), ids, masks, false);
        List<DecodingState> states = model.prefill(batch, 40).state().splitRows();
        float[] split = model.stepSequences(states, new int[]{TOKEN, TOKEN, TOKEN}, masks);
        assertClose(batched, split, 1e-5, "batch3 rows");
    }

    /** A prompt cut inside its image tokens (6 of 8) is refused, as the reference's merge fails. */
    @Test
    void imageTokensAndImagesMustAgree() {
        Idefics2Model model = Idefics2Reference.model();
        ModelInputs image = Idefics2Reference.inputs("processor.json#one_image");
        ModelInputs cut = new ModelInputs(new int[][]{Arrays.copyOfRange(image.inputIds()[0], 0, 10)},
                new int[][]{Arrays.copyOfRange(image.attentionMask()[0], 0, 10)}, image.images(), List.of(),
                List.of());
        String m = assertThrows(IllegalArgumentException.class, () -> model.prefill(cut, 10)).getMessage();
        assertTrue(m.contains("6 <image> tokens") && m.contains("8 image states"), m);
    }

    @Test
    void statesOfAnotherFamilyAreRefused() {
        Idefics2Model model = Idefics2Reference.model();
        DecodingState foreign = new DecodingState(model.newCache(1, 4), sources -> null);
        assertThrows(IllegalArgumentException.class, () -> model.step(foreign, new int[][]{{TOKEN}},
                new int[][]{{1}}, false));
    }

    /**
     * Mistral's sliding window is not run, so a sequence longer than it is refused, naming the field; up to it
     * generation is unaffected (the tiny checkpoint with a window of 30: a 24-token prompt decodes 6 tokens).
     */
    @Test
    void sequencesLongerThanTheSlidingWindowAreRefused(@TempDir Path dir) throws IOException {
        Path tiny = TestData.model(Idefics2Reference.MODEL);
        try (var files = Files.list(tiny)) {
            for (Path f : files.toList()) {
                Files.createSymbolicLink(dir.resolve(f.getFileName()), f);
            }
        }
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(tiny.resolve("config.json").toFile());
        ((ObjectNode) config.get("text_config")).put("sliding_window", 30);
        Files.delete(dir.resolve("config.json"));
        new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), config);
        try (VisionLanguageModel model = Idefics2Model.load(dir, (c, name, shape) -> c.weight(name, shape))) {
            assertEquals(30, model.maxPositionEmbeddings());
            ModelInputs in = Idefics2Reference.inputs("processor.json#one_image");
            GenerationConfig greedy = GenerationConfig.load(tiny).withOverrides(Map.of("max_new_tokens", 6));
            assertEquals(30, new Generator(model).generate(in, greedy).get(0).ids().length);
            String m = assertThrows(IllegalArgumentException.class, () -> new Generator(model).generate(in,
                    greedy.withOverrides(Map.of("max_new_tokens", 8, "min_new_tokens", 8)))).getMessage();
            // Refused before anything runs: the model reports the window as its positions.
            assertTrue(m.contains("model's 30 positions") && m.contains("sliding_window"), m);
        }
    }
}
