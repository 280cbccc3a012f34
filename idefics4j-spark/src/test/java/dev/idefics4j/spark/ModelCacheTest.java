package dev.idefics4j.spark;

import dev.idefics4j.Idefics;
import dev.idefics4j.tensor.quant.Quantization;
import dev.idefics4j.tensor.quant.QuantizedLoading;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The weight format an executor's load log names, as the CLI names the formats. */
class ModelCacheTest {
    @TempDir
    Path dir;

    @Test
    void namesTheWeightFormatLoaded() {
        ModelSpec tiny = SparkTests.tiny();
        try (Idefics plain = Idefics.load(TestData.model("tiny"))) {
            assertEquals("bf16", ModelCache.weightFormat(plain, tiny)); // the tiny checkpoint stores bf16
            assertEquals("bf16-dot", ModelCache.weightFormat(plain, tiny.withBf16Dot(true)));
            assertEquals("nf4", ModelCache.weightFormat(plain, tiny.withQuantization("nf4", false)));
            assertEquals("fp4-dq", ModelCache.weightFormat(plain, tiny.withQuantization("fp4", true)));
            assertEquals("int8+bf16-dot", ModelCache.weightFormat(plain,
                    tiny.withQuantization("int8", false).withBf16Dot(true)));
        }
        Path quantized = dir.resolve("tiny-nf4");
        QuantizedLoading.save(TestData.model("tiny"), quantized, Quantization.NF4);
        try (Idefics nf4 = Idefics.load(quantized)) {
            // A pre-quantized checkpoint loads as stored, with no --quantize.
            assertEquals("nf4", ModelCache.weightFormat(nf4, ModelSpec.of(quantized.toString())));
        }
    }
}
