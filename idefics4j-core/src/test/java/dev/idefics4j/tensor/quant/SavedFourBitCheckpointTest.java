package dev.idefics4j.tensor.quant;

import dev.idefics4j.checkpoint.SafeTensorsFile;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bundled tiny model saved in 4-bit holds, for each of its bf16 linear weights, exactly the packed codes, absmax
 * and quant_map that bitsandbytes' CUDA kernel makes of it (derived here by {@link FourBitQuantizationTest#cudaCodes}),
 * and every other tensor as stored.
 */
class SavedFourBitCheckpointTest {
    private static final int BLOCKSIZE = 64;

    @ParameterizedTest
    @EnumSource(FourBitCode.class)
    void savedCodesScalesAndMapAreTheCudaKernels(FourBitCode code, @TempDir Path dir) {
        Path source = TestData.model("tiny");
        Path target = dir.resolve(code.bnbName());
        QuantizedLoading.save(source, target, code == FourBitCode.FP4 ? Quantization.FP4 : Quantization.NF4);
        int quantized = 0;
        long codes = 0;
        try (SafeTensorsFile in = SafeTensorsFile.open(source.resolve("model.safetensors"));
             SafeTensorsFile out = SafeTensorsFile.open(target.resolve("model.safetensors"))) {
            for (String name : in.tensors().keySet()) {
                if (!out.contains(name + ".quant_state.bitsandbytes__" + code.bnbName())) {
                    assertArrayEquals(in.segment(name).toArray(ValueLayout.JAVA_BYTE),
                            out.segment(name).toArray(ValueLayout.JAVA_BYTE), name + " is stored as it was");
                    continue;
                }
                quantized++;
                float[] w = in.readFloats(name);
                int[] expected = FourBitQuantizationTest.cudaCodes(w, code, BLOCKSIZE);
                byte[] packed = out.readBytes(name);
                assertEquals(expected.length / 2, packed.length, name);
                for (int i = 0; i < expected.length; i++) {
                    int got = (i % 2 == 0 ? packed[i / 2] >> 4 : packed[i / 2]) & 0xF;
                    assertEquals(expected[i], got, name + " code " + i);
                }
                codes += expected.length;
                float[] absmax = out.readFloats(name + ".absmax");
                for (int b = 0; b < absmax.length; b++) {
                    float max = 0;
                    for (int i = b * BLOCKSIZE; i < Math.min(w.length, (b + 1) * BLOCKSIZE); i++) {
                        max = Math.max(max, Math.abs(w[i]));
                    }
                    assertEquals(max, absmax[b], name + " absmax " + b);
                }
                // Raw bits: FP4's code 8 is +0.0 as in get_4bit_type, not -0.0.
                float[] map = out.readFloats(name + ".quant_map");
                for (int c = 0; c < 16; c++) {
                    assertEquals(Float.floatToRawIntBits(code.table()[c]), Float.floatToRawIntBits(map[c]),
                            name + " quant_map " + c);
                }
            }
        }
        // Every nn.Linear but the lm head and its additional_fc (decoder, vision tower, resampler).
        assertEquals(66, quantized);
        assertEquals(83_840, codes);
    }
}
