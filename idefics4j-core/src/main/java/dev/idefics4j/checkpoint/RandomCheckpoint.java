package dev.idefics4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.tensor.BFloat16;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.Parallel;
import dev.idefics4j.tensor.Shapes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a random-weight checkpoint in the real Hugging Face layout (config.json and the family's other config
 * files, tokenizer files, safetensors sharded with an index when large) for benchmarks and tests. Values have a
 * realistic scale: linear weights uniform with variance 1/fan_in, token embeddings variance 1, norm scales near 1,
 * small biases, non-zero gating alphas.
 */
public final class RandomCheckpoint {
    /**
     * Tokenizer files copied from the tokenizer folder when present: SentencePiece, tokenizer.json, the slow
     * byte-level pair, their configs, and the chat template kept beside them.
     */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.model", "tokenizer.json", "vocab.json",
            "merges.txt", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
            "chat_template.json");

    /**
     * What a family's checkpoint of one config holds besides config.json.
     *
     * @param tensors   every tensor with its reference name and shape, in the reference's module order
     * @param files     other files by name (generation_config.json, preprocessor_config.json, ...)
     * @param vocabSize the token ids the model knows, added tokens included: a tokenizer to go with it has as many
     */
    public record Contents(List<WeightLayout.Entry> tensors, Map<String, JsonNode> files, int vocabSize) {
    }

    private RandomCheckpoint() {
    }

    /** The generation_config.json {@code save_pretrained} writes from a model config's token ids (pad: null for none). */
    public static ObjectNode generationConfig(int bosTokenId, int eosTokenId, Integer padTokenId) {
        ObjectNode gen = new ObjectMapper().createObjectNode();
        gen.put("_from_model_config", true);
        gen.put("bos_token_id", bosTokenId);
        gen.put("eos_token_id", eosTokenId);
        if (padTokenId != null) {
            gen.put("pad_token_id", padTokenId);
        }
        return gen;
    }

    /**
     * @param config        the config.json to write (its torch_dtype is set to {@code dtype})
     * @param contents      what the config's family says the checkpoint holds
     * @param tokenizerDir  folder with the tokenizer files matching the config's vocabulary
     * @param maxShardBytes shard the weights above this size, as {@code save_pretrained(max_shard_size=...)}
     */
    public static void write(ObjectNode config, Contents contents, DType dtype, Path out, Path tokenizerDir,
                             long seed, long maxShardBytes) {
        config.put("torch_dtype", dtype == DType.BF16 ? "bfloat16" : dtype == DType.F16 ? "float16" : "float32");
        try {
            Files.createDirectories(out);
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            json.writeValue(out.resolve("config.json").toFile(), config);
            for (Map.Entry<String, JsonNode> f : contents.files().entrySet()) {
                json.writeValue(out.resolve(f.getKey()).toFile(), f.getValue());
            }
            for (String f : TOKENIZER_FILES) {
                Path src = tokenizerDir.resolve(f);
                if (Files.isRegularFile(src)) {
                    Files.copy(src, out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            writeWeights(contents.tensors(), dtype, out, seed, maxShardBytes, json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + out + ": " + e.getMessage(), e);
        }
    }

    private static void writeWeights(List<WeightLayout.Entry> tensors, DType dtype, Path out, long seed,
                                     long maxShardBytes, ObjectMapper json) throws IOException {
        List<List<SafeTensorsWriter.Tensor>> shards = new ArrayList<>();
        List<SafeTensorsWriter.Tensor> current = new ArrayList<>();
        long currentBytes = 0;
        long total = 0;
        for (WeightLayout.Entry e : tensors) {
            SafeTensorsWriter.Tensor t = new SafeTensorsWriter.Tensor(e.name(), dtype, e.shape(),
                    filler(e, dtype, seed ^ e.name().hashCode() * 0x9E3779B97F4A7C15L));
            if (!current.isEmpty() && currentBytes + t.byteSize() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += t.byteSize();
            total += t.byteSize();
        }
        shards.add(current);
        Map<String, String> meta = Map.of("format", "pt");
        if (shards.size() == 1) {
            SafeTensorsWriter.write(out.resolve(Checkpoint.SINGLE_FILE), shards.get(0), meta);
            return;
        }
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode weightMap = index.putObject("weight_map");
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String file = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafeTensorsWriter.write(out.resolve(file), shards.get(i), meta);
            for (SafeTensorsWriter.Tensor t : shards.get(i)) {
                names.put(t.name(), file);
            }
        }
        names.forEach(weightMap::put);
        json.writeValue(out.resolve(Checkpoint.INDEX_FILE).toFile(), index);
    }

    private static SafeTensorsWriter.Filler filler(WeightLayout.Entry e, DType dtype, long seed) {
        long[] shape = e.shape();
        long fanIn = shape.length > 1 ? Shapes.numel(shape) / shape[0] : shape[0];
        double halfWidth = switch (e.kind()) {
            case LINEAR -> Math.sqrt(3.0 / fanIn);
            case EMBEDDING, LATENTS -> Math.sqrt(3.0);
            case NORM_WEIGHT -> 0.25 * Math.sqrt(3.0);
            case BIAS -> 0.1 * Math.sqrt(3.0);
            case ALPHA -> 0.4;
        };
        double center = switch (e.kind()) {
            case NORM_WEIGHT -> 1.0;
            case ALPHA -> 0.8;
            default -> 0.0;
        };
        return target -> {
            long n = Shapes.numel(shape);
            int chunk = 1 << 20;
            int chunks = (int) ((n + chunk - 1) / chunk);
            Parallel.forEach(chunks, chunks > 1, ci -> {
                SplittableRandom rnd = new SplittableRandom(seed + 31L * ci);
                long start = (long) ci * chunk;
                long end = Math.min(n, start + chunk);
                for (long i = start; i < end; i++) {
                    float v = (float) (center + halfWidth * (2 * rnd.nextDouble() - 1));
                    write(target, dtype, i, v);
                }
            });
        };
    }

    private static void write(MemorySegment target, DType dtype, long i, float v) {
        switch (dtype) {
            case BF16 -> target.setAtIndex(SafeTensorsFile.SHORT_LE, i, BFloat16.fromFloat(v));
            case F16 -> target.setAtIndex(SafeTensorsFile.SHORT_LE, i, Float.floatToFloat16(v));
            case F32 -> target.setAtIndex(SafeTensorsFile.FLOAT_LE, i, v);
            default -> throw new IllegalArgumentException("random weights cannot be " + dtype);
        }
    }
}
