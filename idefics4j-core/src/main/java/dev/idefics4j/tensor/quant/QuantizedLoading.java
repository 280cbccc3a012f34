package dev.idefics4j.tensor.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.checkpoint.CheckpointException;
import dev.idefics4j.checkpoint.SafeTensorsWriter;
import dev.idefics4j.checkpoint.TensorInfo;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.Weight;

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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Loading a checkpoint with quantized linear layers, and writing a quantized checkpoint so quantizing happens once.
 * A checkpoint folder is either plain (bf16/fp16/fp32 weights: quantized while loading, as transformers +
 * bitsandbytes do with {@code BitsAndBytesConfig}) or pre-quantized (its config.json has a bitsandbytes
 * {@code quantization_config} and the linear layers are stored in bitsandbytes' layout, see {@link BnbLayout}).
 */
public final class QuantizedLoading {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = "config.json";

    private QuantizedLoading() {
    }

    /**
     * The linear layers of {@code dir} as {@code q} says: a plain checkpoint is quantized while loading
     * ({@link Quantization#NONE}: as stored); a pre-quantized one loads as it was quantized, with {@code q} either
     * NONE or the same setting (a checkpoint is not quantized twice).
     */
    public static Checkpoint.LinearLoader linears(Path dir, Quantization q) {
        return linears(dir, q, UnaryOperator.identity());
    }

    /**
     * As {@link #linears(Path, Quantization)}, each linear weight then passed through {@code wrap} (which picks the
     * kernels for it, e.g. {@code Bf16DotWeight::wrap}).
     */
    public static Checkpoint.LinearLoader linears(Path dir, Quantization q, UnaryOperator<MatrixWeight> wrap) {
        Quantization stored = stored(dir);
        if (stored.enabled()) {
            if (q.enabled() && !q.equals(stored)) {
                throw new CheckpointException(dir + " is already quantized (" + stored + "); it cannot be loaded as "
                        + q + ". Load it without a quantization option, or quantize the original checkpoint.");
            }
            BnbLayout layout = new BnbLayout();
            return (c, name, shape) -> wrap.apply(layout.load(c, name, shape));
        }
        return Checkpoint.LinearLoader.converting(w -> wrap.apply(q.quantize(w)));
    }

    /** The quantization a checkpoint folder is stored in ({@link Quantization#NONE} for a plain checkpoint). */
    public static Quantization stored(Path dir) {
        JsonNode config = readConfig(dir.resolve(CONFIG));
        try {
            return Quantization.fromConfig(config.get("quantization_config"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(dir.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Quantizes the plain checkpoint {@code source} into the folder {@code target}: one {@code model.safetensors}
     * with the linear layers in bitsandbytes' layout (big packed weights first, so they lie 64-byte aligned and load
     * without a copy) and every other tensor as stored; config.json gains the {@code quantization_config}; the other
     * files (tokenizer, processor config) are copied.
     */
    public static void save(Path source, Path target, Quantization q) {
        if (!q.enabled()) {
            throw new IllegalArgumentException("choose a quantization (fp4, nf4, int8) to write a quantized "
                    + "checkpoint");
        }
        if (stored(source).enabled()) {
            throw new CheckpointException(source + " is already quantized (" + stored(source)
                    + "); quantize the original checkpoint instead");
        }
        if (source.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the quantized checkpoint needs a folder of its own, not " + source);
        }
        Map<String, MatrixWeight> linears = new LinkedHashMap<>();
        Checkpoint.LinearLoader recording = (ckpt, name, shape) -> {
            Weight stored = ckpt.weight(name, shape);
            MatrixWeight w = q.quantize(stored);
            Checkpoint.releasePages(stored.data());
            linears.put(name, w);
            return w;
        };
        try (VisionLanguageModel model = ModelFamilies.of(source).load(source, recording, false)) {
            Files.createDirectories(target);
            Files.deleteIfExists(target.resolve(Checkpoint.INDEX_FILE)); // would shadow the new single file
            Checkpoint ckpt = model.checkpoint();
            List<SafeTensorsWriter.Tensor> packed = new ArrayList<>();
            List<SafeTensorsWriter.Tensor> rest = new ArrayList<>();
            linears.forEach((name, w) -> {
                List<SafeTensorsWriter.Tensor> ts = BnbLayout.tensors(name, w);
                packed.add(ts.getFirst());
                rest.addAll(ts.subList(1, ts.size()));
            });
            for (String name : ckpt.tensorNames()) {
                if (!linears.containsKey(name)) {
                    TensorInfo info = ckpt.info(name);
                    rest.add(new SafeTensorsWriter.Tensor(name, info.dtype(), info.shape(), t -> {
                        MemorySegment stored = ckpt.fileOf(name).segment(name);
                        t.copyFrom(stored);
                        Checkpoint.releasePages(stored);
                    }));
                }
            }
            packed.addAll(rest);
            SafeTensorsWriter.write(target.resolve(Checkpoint.SINGLE_FILE), packed, Map.of("format", "pt"));
            copyOtherFiles(source, target);
            ObjectNode config = (ObjectNode) readConfig(source.resolve(CONFIG));
            config.set("quantization_config", q.toConfig());
            Path tmp = target.resolve(CONFIG + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), config);
            Files.move(tmp, target.resolve(CONFIG), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the quantized checkpoint to " + target + ": "
                    + e.getMessage(), e);
        }
    }

    private static void copyOtherFiles(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                boolean weights = n.endsWith(".safetensors") || n.equals(Checkpoint.INDEX_FILE);
                if (Files.isRegularFile(f) && !weights && !n.equals(CONFIG)) {
                    Files.copy(f, target.resolve(n), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static JsonNode readConfig(Path configJson) {
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(configJson));
            if (node == null || !node.isObject()) {
                throw new CheckpointException(configJson + ": expected a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new CheckpointException(configJson + ": cannot read: " + e.getMessage(), e);
        }
    }
}
