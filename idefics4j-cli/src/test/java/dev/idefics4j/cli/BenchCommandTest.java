package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench command end to end on the bundled tiny model, one repetition: the report's shape, never its speed. */
class BenchCommandTest {
    @Test
    void reportsEveryFigureWithItsLimit(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("bench.json");
        int code = Main.run("bench", "--checkpoint", BundledModels.path(BundledModels.TINY).toString(),
                "--quick", "--sections", "probes,image,prefill,decode,batch,gemm,layers", "--dtype", "bf16,f32",
                "--quantize", "none", "--threads", "1", "--reps", "1", "--out", report.toString());
        assertEquals(0, code);
        JsonNode root = new ObjectMapper().readTree(report.toFile());
        JsonNode results = root.get("results");
        assertEquals(2, results.size());
        for (JsonNode r : results) {
            for (String key : new String[]{"dtype", "threads", "decode_tokens_per_s", "decode_weight_gb_per_s",
                    "read_bandwidth_gb_per_s", "decode_bandwidth_ratio", "image_encode_s", "prefill_tokens_per_s",
                    "gemm_gflops", "fp32_peak_gflops", "gemm_peak_ratio", "batch_decode_speedup", "layers_ms",
                    "extrapolated", "peak_rss_gb"}) {
                assertTrue(r.has(key), key + " missing from " + r);
            }
            assertTrue(r.get("decode_weight_bytes_per_token").asLong() > 0);
            assertTrue(r.get("layers_ms").has("llama_decode"));
            assertTrue(r.get("extrapolated").has("idefics-80b"));
        }
        assertEquals("bf16", results.get(0).get("dtype").asText());
        assertEquals("f32", results.get(1).get("dtype").asText());
        assertTrue(root.get("settings").has("jit_warmup_s"));
        // which kernels ran, so that a report from another machine can be read
        assertEquals(dev.idefics4j.tensor.NativeDecoding.describe(),
                root.get("machine").get("decoding_kernels").asText());
        assertTrue(root.get("machine").has("bf16_dot"));
    }

    @Test
    void decodesTheBatchAskedFor(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("bench.json");
        int code = Main.run("bench", "--checkpoint", BundledModels.path(BundledModels.TINY).toString(),
                "--quick", "--sections", "decode,batch", "--dtype", "bf16", "--quantize", "none", "--threads", "1",
                "--reps", "1", "--batch", "3", "--out", report.toString());
        assertEquals(0, code);
        JsonNode root = new ObjectMapper().readTree(report.toFile());
        assertEquals(3, root.get("settings").get("batch").asInt());
        JsonNode r = root.get("results").get(0);
        assertEquals(3, r.get("batch_rows").asInt());
        assertTrue(r.get("batch_decode_tokens_per_s").asDouble() > 0);
        double paired = r.get("batch_decode_speedup_paired").asDouble();
        JsonNode rounds = r.get("batch_decode_speedup_paired_rounds");
        assertEquals(7, rounds.get("n").asInt());
        assertTrue(rounds.get("min").asDouble() > 0 && rounds.get("min").asDouble() <= paired
                && paired <= rounds.get("max").asDouble(), rounds::toString);
        assertTrue(r.get("batch_decode_paired_single_tokens_per_s").asDouble() > 0);
        assertEquals(1, Main.run("bench", "--checkpoint", BundledModels.path(BundledModels.TINY).toString(),
                "--sections", "batch", "--batch", "1"));
    }

    @Test
    void benchesAnIdefics3CheckpointThroughItsTowerConnectorAndDecoder(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("smolvlm");
        assertEquals(0, Main.run("random-checkpoint", "--like", "SmolVLM-256M-Instruct", "--text-layers", "1",
                "--vision-layers", "1", "--out", ckpt.toString()));
        Path report = dir.resolve("bench.json");
        int code = Main.run("bench", "--checkpoint", ckpt.toString(), "--quick", "--sections",
                "probes,image,prefill,decode,batch", "--dtype", "bf16", "--quantize", "none", "--threads", "1",
                "--reps", "1", "--batch", "2", "--out", report.toString());
        assertEquals(0, code);
        JsonNode root = new ObjectMapper().readTree(report.toFile());
        assertEquals("idefics3", root.get("checkpoint").get("model_type").asText());
        assertEquals(64, root.get("checkpoint").get("image_seq_len").asInt());
        JsonNode r = root.get("results").get(0);
        for (String key : new String[]{"image_encode_s", "image_gflops", "image_peak_ratio", "prefill_tokens_per_s",
                "prefill_peak_ratio", "decode_tokens_per_s", "decode_bandwidth_ratio", "batch_decode_tokens_per_s",
                "batch_decode_speedup_paired", "peak_rss_gb"}) {
            assertTrue(r.has(key), key + " missing from " + r);
        }
        // the image tokens of 17 frames (a 4 x 4 grid and the global image) of 64 tokens each
        assertEquals(17 * 64, r.get("prefill_tokens").asInt());
        assertTrue(r.get("decode_weight_bytes_per_token").asLong() > 0);
        assertEquals(1, Main.run("bench", "--checkpoint", ckpt.toString(), "--sections", "nothing"));
    }

    @Test
    void timesIdefics3BlocksAndProductsAtTheCheckpointsShapes(@TempDir Path dir) throws Exception {
        Path ckpt = smolvlmOneLayer(dir);
        Path report = dir.resolve("bench.json");
        assertEquals(0, Main.run("bench", "--checkpoint", ckpt.toString(), "--quick", "--sections",
                "probes,gemm,layers", "--dtype", "bf16", "--quantize", "none", "--threads", "1", "--reps", "1",
                "--out", report.toString()));
        JsonNode r = new ObjectMapper().readTree(report.toFile()).get("results").get(0);
        // SmolVLM-256M: text hidden 576, intermediate 1536; SigLIP 768 wide, 3072 MLP, 1024 patches of a 512 px tile
        assertEquals("512x576 by 1536x576", r.get("gemm_shape").asText());
        assertEquals("1024x768 by 3072x768", r.get("vision_gemm_shape").asText());
        for (String key : new String[]{"gemm_gflops", "gemm_peak_ratio", "vision_gemm_gflops",
                "vision_gemm_peak_ratio"}) {
            assertTrue(r.get(key).asDouble() > 0, key + " in " + r);
        }
        for (String mode : Idefics3Bench.LAYER_MODES) {
            assertTrue(r.get("layers_ms").get(mode).get("median").asDouble() > 0, mode + " in " + r);
        }
        assertEquals(17 * 64, r.get("layers_prefill_tokens").asInt());
    }

    /** A random checkpoint of SmolVLM-256M-Instruct's published shapes with one decoder and one vision layer. */
    private static Path smolvlmOneLayer(Path dir) {
        Path ckpt = dir.resolve("smolvlm");
        assertEquals(0, Main.run("random-checkpoint", "--like", "SmolVLM-256M-Instruct", "--text-layers", "1",
                "--vision-layers", "1", "--out", ckpt.toString()));
        return ckpt;
    }

    @Test
    void rejectsUnknownSections() {
        assertEquals(1, Main.run("bench", "--checkpoint", BundledModels.path(BundledModels.TINY).toString(),
                "--sections", "nothing"));
    }
}
