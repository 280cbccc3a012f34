package dev.idefics4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.Shapes;
import dev.idefics4j.tensor.Weight;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The weights of a Hugging Face checkpoint folder: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json}. Every file stays memory-mapped; tensors are handed out as views. The model
 * asks for each tensor by its reference name with the shape it expects, and {@link #checkAllUsed()} then reports
 * tensors the model does not know.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final List<SafeTensorsFile> files;
    private final Map<String, SafeTensorsFile> byTensor;
    private final Set<String> used = new LinkedHashSet<>();
    private LinearLoader linearLoader = Checkpoint::weight;
    private long linearStoredBytes;
    private long linearLoadedBytes;

    private Checkpoint(Path dir, List<SafeTensorsFile> files, Map<String, SafeTensorsFile> byTensor) {
        this.dir = dir;
        this.files = files;
        this.byTensor = byTensor;
    }

    public static Checkpoint open(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(dir, index);
        }
        if (Files.isRegularFile(single)) {
            SafeTensorsFile f = SafeTensorsFile.open(single);
            Map<String, SafeTensorsFile> map = new LinkedHashMap<>();
            f.tensors().keySet().forEach(name -> map.put(name, f));
            return new Checkpoint(dir, List.of(f), map);
        }
        throw new CheckpointException(dir + ": no " + SINGLE_FILE + " or " + INDEX_FILE
                + " (idefics4j reads safetensors checkpoints)");
    }

    private static Checkpoint openSharded(Path dir, Path index) {
        JsonNode weightMap;
        try {
            weightMap = new ObjectMapper().readTree(Files.readAllBytes(index)).path("weight_map");
        } catch (IOException e) {
            throw new CheckpointException(index + ": invalid JSON: " + e.getMessage(), e);
        }
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new CheckpointException(index + ": no 'weight_map' object naming the shard of each tensor");
        }
        Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafeTensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String shardName = e.getValue().asText();
                Path shardPath = dir.resolve(shardName).normalize();
                if (!shardPath.startsWith(dir.normalize()) || shardName.isEmpty()) {
                    throw new CheckpointException(index + ": shard name '" + shardName + "' points outside " + dir);
                }
                SafeTensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    if (!Files.isRegularFile(shardPath)) {
                        throw new CheckpointException(index + ": shard '" + shardName + "' (holding '" + e.getKey()
                                + "') is missing from " + dir);
                    }
                    shard = SafeTensorsFile.open(shardPath);
                    shards.put(shardName, shard);
                }
                if (!shard.contains(e.getKey())) {
                    throw new CheckpointException(index + ": tensor '" + e.getKey() + "' is listed in shard '"
                            + shardName + "' but that file does not hold it");
                }
                byTensor.put(e.getKey(), shard);
            }
            for (Map.Entry<String, SafeTensorsFile> s : shards.entrySet()) {
                for (String name : s.getValue().tensors().keySet()) {
                    SafeTensorsFile owner = byTensor.get(name);
                    if (owner == null) {
                        byTensor.put(name, s.getValue());
                    } else if (owner != s.getValue()) {
                        throw new CheckpointException(dir + ": tensor '" + name + "' is stored in two shards ("
                                + owner.path().getFileName() + " and " + s.getKey() + ")");
                    }
                }
            }
        } catch (RuntimeException e) {
            shards.values().forEach(SafeTensorsFile::close);
            throw e;
        }
        return new Checkpoint(dir, new ArrayList<>(shards.values()), byTensor);
    }

    /**
     * Opens {@code dir} with {@code linears} making its linear layers' weights and builds a model on it; the
     * checkpoint is closed again when the build fails.
     */
    public static <T> T build(Path dir, LinearLoader linears, Function<Checkpoint, T> model) {
        Checkpoint ckpt = open(dir);
        ckpt.setLinearLoader(linears);
        try {
            return model.apply(ckpt);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    public Set<String> tensorNames() {
        return byTensor.keySet();
    }

    public TensorInfo info(String name) {
        SafeTensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new CheckpointException(dir + ": missing tensor '" + name + "'");
        }
        return f.info(name);
    }

    /** The file holding {@code name} (for raw access). */
    public SafeTensorsFile fileOf(String name) {
        info(name);
        return byTensor.get(name);
    }

    private TensorInfo expect(String name, long... shape) {
        TensorInfo info = info(name);
        if (!info.dtype().isFloatingPoint() || info.dtype() == DType.F64) {
            throw new CheckpointException(byTensor.get(name).path() + ": tensor '" + name + "' has dtype "
                    + info.dtype() + "; weights must be F32, F16 or BF16");
        }
        if (!Arrays.equals(info.shape(), shape)) {
            throw new CheckpointException(byTensor.get(name).path() + ": tensor '" + name + "' has shape "
                    + Shapes.format(info.shape()) + " but the config implies " + Shapes.format(shape));
        }
        used.add(name);
        return info;
    }

    /** A matrix weight [rows, cols] (trailing dims of a conv kernel flattened into cols), kept where it is mapped. */
    public Weight weight(String name, long... shape) {
        TensorInfo info = expect(name, shape);
        long cols = 1;
        for (int i = 1; i < shape.length; i++) {
            cols *= shape[i];
        }
        int rows = shape.length == 0 ? 1 : Math.toIntExact(shape[0]);
        return new Weight(name, info.dtype(), rows, Math.toIntExact(shape.length == 1 ? 1 : cols),
                byTensor.get(name).segment(name));
    }

    /**
     * Makes the weight of an {@code nn.Linear} layer from the checkpoint: by default the stored tensor itself; a
     * loader may quantize it, or read a pre-quantized layout (several tensors per weight, marked used via
     * {@link #markUsed}).
     */
    @FunctionalInterface
    public interface LinearLoader {
        MatrixWeight load(Checkpoint checkpoint, String name, long... shape);

        /**
         * A loader that reads the stored weight and converts it with {@code format} (quantizes it, say). Once a weight
         * is converted into memory of its own, the stored tensor's pages are {@linkplain #releasePages released}: the
         * model no longer reads them, and without that every converted tensor would stay in the process's resident
         * memory beside its converted copy.
         */
        static LinearLoader converting(Function<Weight, MatrixWeight> format) {
            return (c, name, shape) -> {
                Weight stored = c.weight(name, shape);
                MatrixWeight converted = format.apply(stored);
                if (!converted.readsFrom(stored.data())) {
                    releasePages(stored.data());
                }
                return converted;
            };
        }
    }

    /**
     * Drops this process's resident pages of a memory-mapped range ({@link MemorySegment#unload()}, i.e.
     * {@code madvise(MADV_DONTNEED)} over the pages it touches); does nothing for memory that is not mapped. The
     * mapping is read-only and shared, so nothing is lost: the file's pages stay in the page cache (the kernel may
     * evict them) and any later read, of this range or of a tensor sharing its first or last page, maps them back.
     */
    public static void releasePages(MemorySegment mapped) {
        if (mapped.isMapped()) {
            mapped.unload();
        }
    }

    /**
     * Sets how linear-layer weights are kept (quantized while loading, say); embeddings, norms, the patch
     * convolution and the lm head always stay as stored.
     */
    public void setLinearFormat(Function<Weight, MatrixWeight> format) {
        this.linearLoader = LinearLoader.converting(format);
    }

    /** Sets how linear-layer weights are read (for checkpoints that store them quantized). */
    public void setLinearLoader(LinearLoader loader) {
        this.linearLoader = loader;
    }

    /** The weight of an {@code nn.Linear} layer [out, in], made by the loader set with {@link #setLinearLoader}. */
    public MatrixWeight linearWeight(String name, long... shape) {
        int before = used.size();
        MatrixWeight w = linearLoader.load(this, name, shape);
        // The stored tensors this weight was made of are the ones the loader marked used just now.
        int i = 0;
        for (String t : used) {
            if (i++ >= before) {
                linearStoredBytes += info(t).byteSize();
            }
        }
        linearLoadedBytes += w.byteSize();
        return w;
    }

    /** A small tensor (norm scales, biases, alphas) widened to float32 on the heap. */
    public float[] floats(String name, long... shape) {
        expect(name, shape);
        return byTensor.get(name).readFloats(name);
    }

    /** Marks tensors as known although unused (the vision post_layernorm exists but the reference never applies it). */
    public void markUsed(String name) {
        if (contains(name)) {
            used.add(name);
        }
    }

    /** Fails when the checkpoint holds tensors the model never asked for (a checkpoint of another shape or kind). */
    public void checkAllUsed() {
        Set<String> unexpected = new TreeSet<>(byTensor.keySet());
        unexpected.removeAll(used);
        if (!unexpected.isEmpty()) {
            List<String> shown = new ArrayList<>(unexpected).subList(0, Math.min(5, unexpected.size()));
            throw new CheckpointException(dir + ": " + unexpected.size() + " unexpected tensor(s) that the config "
                    + "does not account for, e.g. " + shown);
        }
    }

    /** Bytes of all mapped tensors. */
    public long totalBytes() {
        long total = 0;
        for (SafeTensorsFile f : files) {
            for (TensorInfo t : f.tensors().values()) {
                total += t.byteSize();
            }
        }
        return total;
    }

    /**
     * Bytes of the weights as loaded: {@link #totalBytes()} with the linear-layer weights counted in the form the
     * linear loader made of them (quantized while loading, say) instead of as stored.
     */
    public long loadedBytes() {
        return totalBytes() - linearStoredBytes + linearLoadedBytes;
    }

    @Override
    public void close() {
        files.forEach(SafeTensorsFile::close);
    }
}
