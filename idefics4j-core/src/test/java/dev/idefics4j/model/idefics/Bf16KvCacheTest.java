package dev.idefics4j.model.idefics;

import dev.idefics4j.model.KvCache;
import dev.idefics4j.testing.ModelRun;
import dev.idefics4j.testing.ProcessorInputs;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model whose caches hold keys and values in bfloat16: the logits stay within that rounding of the float32
 * cache's, caches are float32 unless asked (the reference's parity needs them), and a sequence decodes the same
 * alone or among others.
 */
class Bf16KvCacheTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-80b-style", "tiny-noresampler"})
    void logitsStayWithinBf16RoundingOfTheFloatCache(String name) {
        ProcessorInputs prompt = ProcessorInputs.load(name, "processor.json#text_image_text");
        try (IdeficsModel m = IdeficsModel.load(TestData.model(name))) {
            assertFalse(m.bf16KvCache());
            assertFalse(m.newCache(1, 4).bf16(), "float32 unless asked");
            ModelRun.Decoded exact = ModelRun.decode(m, prompt, 4, null);
            m.setBf16KvCache(true);
            assertTrue(m.newCache(1, 4).bf16());
            ModelRun.Decoded rounded = ModelRun.decode(m, prompt, 4, exact.argmax());
            double cosine = ModelRun.cosine(exact.firstLogits(), rounded.firstLogits());
            assertTrue(cosine > 0.9999, name + ": cosine " + cosine);
            assertFalse(Arrays.equals(exact.firstLogits(), rounded.firstLogits()), name + ": nothing was rounded");
        }
    }

    /** Two sequences stepped together give each exactly what it gives stepped alone. */
    @Test
    void aSequenceDecodesTheSameAloneOrAmongOthers() {
        ProcessorInputs prompt = ProcessorInputs.load("tiny", "processor.json#text_image_text");
        try (IdeficsModel m = IdeficsModel.load(TestData.model("tiny"))) {
            m.setBf16KvCache(true);
            assertEquals(1, prompt.rows());
            int vocab = m.vocabSize();
            ImageContext images = m.encodeImages(prompt.pixelValues(), prompt.rows(), prompt.numImages(), null, null);
            KvCache alone = prefill(m, prompt, images);
            KvCache first = prefill(m, prompt, images);
            KvCache second = prefill(m, prompt, images);
            int[] mask = new int[prompt.tokens() + 1];
            Arrays.fill(mask, 1);
            int[] imageMask = prompt.imageAttentionMask()[0][prompt.tokens() - 1];
            float[] single = m.forwardSequences(new int[]{7}, new KvCache[]{alone}, new ImageContext[]{images},
                    new int[][]{mask}, new int[][]{imageMask});
            float[] both = m.forwardSequences(new int[]{7, 11}, new KvCache[]{first, second},
                    new ImageContext[]{images, images}, new int[][]{mask, mask}, new int[][]{imageMask, imageMask});
            assertEquals(2 * vocab, both.length);
            assertArrayEquals(single, Arrays.copyOf(both, vocab));
        }
    }

    private static KvCache prefill(IdeficsModel m, ProcessorInputs prompt, ImageContext images) {
        KvCache cache = m.newCache(1, prompt.tokens() + 4);
        m.forward(new int[][]{prompt.inputIds()[0]}, new int[][]{prompt.attentionMask()[0]},
                new int[][][]{prompt.imageAttentionMask()[0]}, images, cache, false, null);
        return cache;
    }
}
