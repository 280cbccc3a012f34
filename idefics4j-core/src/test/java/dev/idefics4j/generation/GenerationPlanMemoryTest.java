package dev.idefics4j.generation;

import dev.idefics4j.model.KvCache;
import dev.idefics4j.processor.ModelInputs;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A request's KV cache is weighed against the free heap before anything is allocated (issue 21, item 6). */
class GenerationPlanMemoryTest {
    /** idefics-9b's decoder: 1 MiB per position and sequence in float32. */
    private static final KvCache.Layout NINE_B = new KvCache.Layout(32, 32, 128, false);
    private static final ModelInputs PROMPT = ModelInputs.textOnly(new int[][]{{1, 5, 6}}, new int[][]{{1, 1, 1}});

    @Test
    void layoutCountsKeysAndValuesOfEveryLayer() {
        assertEquals(1L << 20, NINE_B.bytesPerPosition());
        assertEquals(1L << 19, new KvCache.Layout(32, 32, 128, true).bytesPerPosition());
        // Mistral-7B's grouped-query attention (Idefics2): 8 kv heads.
        assertEquals(2L * 32 * 8 * 128 * 4, new KvCache.Layout(32, 8, 128, false).bytesPerPosition());
    }

    @Test
    void aCacheLargerThanTheFreeHeapIsRefusedNamingTheSettingsAndBothSizes() {
        GenerationConfig c = GenerationConfig.builder().doSample(true).numReturnSequences(512).maxNewTokens(2040)
                .build();
        String m = assertThrows(IllegalArgumentException.class,
                () -> GenerationPlan.resolve(c, PROMPT, 100, 2048, NINE_B, null)).getMessage();
        // 512 sequences x 2043 positions x 1 MiB.
        for (String part : new String[]{"num_return_sequences 512 for 1 prompt(s)", "max_new_tokens 2040 after a "
                + "prompt of 3 tokens", "512 sequences of 2043 positions", "KV cache of 1046016 MiB",
                "1048576 bytes per position: 32 layers x 32 kv heads x 128 head_dim x 2 (keys, values) x 4 bytes "
                + "(float32)", "this JVM's heap has free (-Xmx " + (Runtime.getRuntime().maxMemory() >> 20)
                + " MiB", "bfloat16"}) {
            assertTrue(m.contains(part), m + "\nshould contain: " + part);
        }
        GenerationConfig beams = GenerationConfig.builder().numBeams(300).maxLength(2048).build();
        String bf16 = assertThrows(IllegalArgumentException.class, () -> GenerationPlan.resolve(beams, PROMPT, 100,
                2048, new KvCache.Layout(32, 32, 128, true), null)).getMessage();
        assertTrue(bf16.startsWith("num_beams 300 for 1 prompt(s) with max_length 2048: 300 sequences of 2048 "
                + "positions need a KV cache of 307200 MiB") && !bf16.contains("keep the cache in bfloat16"), bf16);
    }

    @Test
    void aCacheThatFitsIsAccepted() {
        GenerationConfig c = GenerationConfig.builder().maxNewTokens(16).build();
        GenerationPlan plan = GenerationPlan.resolve(c, PROMPT, 100, 2048, NINE_B, null);
        assertEquals(19, plan.maxLength());
    }

    /** Through a real model: the tiny checkpoint's layout (1 KiB per position), scores well under half the heap. */
    @Test
    void theModelsOwnLayoutIsUsed() {
        int sequences = (int) (Runtime.getRuntime().maxMemory() >> 20);
        GenerationConfig c = GenerationConfig.builder().doSample(true).numReturnSequences(sequences)
                .maxNewTokens(2000).build();
        String m = assertThrows(IllegalArgumentException.class,
                () -> new Generator(Fixtures.model("tiny")).generate(PROMPT, c)).getMessage();
        assertTrue(m.contains("1024 bytes per position: 4 layers x 4 kv heads x 8 head_dim") && m.contains(
                "num_return_sequences " + sequences), m);
    }
}
