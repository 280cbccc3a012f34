package dev.idefics4j.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.ModelFamily;
import dev.idefics4j.model.idefics.IdeficsConfig;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.tensor.DType;
import dev.idefics4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading whole checkpoint folders: layouts, configs, and every way a checkpoint can disagree with itself. */
class CheckpointLoadingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final ModelFamily FAMILY = ModelFamilies.forType("idefics", "test");

    @TempDir
    Path dir;

    private ObjectNode tinyConfig() throws IOException {
        return (ObjectNode) JSON.readTree(TestData.model("tiny").resolve("config.json").toFile());
    }

    private Path randomCheckpoint(ObjectNode config, long shardBytes) {
        Path out = dir.resolve("ckpt");
        RandomCheckpoint.write(config, FAMILY.randomCheckpoint(config),
                DType.BF16, out, TestData.fixture("tokenizer"), 7, shardBytes);
        return out;
    }

    private static String loadError(Path ckpt) {
        return assertThrows(CheckpointException.class, () -> IdeficsModel.load(ckpt).close()).getMessage();
    }

    @Test
    void loadsSingleFileAndShardedFixtures() {
        try (IdeficsModel a = IdeficsModel.load(TestData.model("tiny"));
             IdeficsModel b = IdeficsModel.load(TestData.model("tiny-80b-style"))) {
            assertEquals(32003, a.vocabSize());
            assertEquals("vector", b.config().alphaType());
            assertTrue(b.config().qkLayerNorms());
        }
    }

    @Test
    void randomCheckpointLoadsSingleAndSharded() throws IOException {
        Path single = randomCheckpoint(tinyConfig(), Long.MAX_VALUE);
        assertTrue(Files.exists(single.resolve("model.safetensors")));
        try (IdeficsModel m = IdeficsModel.load(single)) {
            assertEquals(4, m.config().numHiddenLayers());
        }
        Path sharded = dir.resolve("sharded");
        RandomCheckpoint.write(tinyConfig(), FAMILY.randomCheckpoint(tinyConfig()),
                DType.F32, sharded, TestData.fixture("tokenizer"), 7, 1_000_000);
        assertTrue(Files.exists(sharded.resolve("model.safetensors.index.json")));
        assertTrue(Files.exists(sharded.resolve("model-00001-of-00005.safetensors")), "5 shards of ~1 MB");
        try (IdeficsModel m = IdeficsModel.load(sharded)) {
            assertEquals(DType.F32, m.checkpoint().info("lm_head.weight").dtype());
        }
    }

    @Test
    void configThatContradictsWeightShapes() throws IOException {
        Path ckpt = randomCheckpoint(tinyConfig(), Long.MAX_VALUE);
        ObjectNode c = tinyConfig();
        c.put("intermediate_size", 48);
        JSON.writeValue(ckpt.resolve("config.json").toFile(), c);
        String m = loadError(ckpt);
        assertTrue(m.contains("gate_proj.weight") && m.contains("[64, 32]") && m.contains("[48, 32]"), m);
    }

    @Test
    void missingTensor() throws IOException {
        Path ckpt = rewriteWithout("model.norm.weight", null);
        String m = loadError(ckpt);
        assertTrue(m.contains("missing tensor 'model.norm.weight'"), m);
    }

    @Test
    void unexpectedTensor() throws IOException {
        Path ckpt = rewriteWithout(null, "model.layers.9.mlp.up_proj.weight");
        String m = loadError(ckpt);
        assertTrue(m.contains("1 unexpected tensor") && m.contains("model.layers.9.mlp.up_proj.weight"), m);
    }

    @Test
    void wrongDtype() throws IOException {
        Path ckpt = randomCheckpoint(tinyConfig(), Long.MAX_VALUE);
        List<SafeTensorsWriter.Tensor> tensors = copyTensors(ckpt.resolve("model.safetensors"));
        tensors.replaceAll(t -> t.name().equals("model.norm.weight")
                ? new SafeTensorsWriter.Tensor(t.name(), DType.I64, t.shape(), seg -> { })
                : t);
        Path out = dir.resolve("dtype");
        copyFolderWith(ckpt, out, tensors);
        String m = loadError(out);
        assertTrue(m.contains("'model.norm.weight' has dtype I64"), m);
    }

    @Test
    void shardNamedInIndexButAbsent() throws IOException {
        Path sharded = dir.resolve("sharded");
        RandomCheckpoint.write(tinyConfig(), FAMILY.randomCheckpoint(tinyConfig()),
                DType.F32, sharded, TestData.fixture("tokenizer"), 7, 1_000_000);
        Files.delete(sharded.resolve("model-00003-of-00005.safetensors"));
        String m = loadError(sharded);
        assertTrue(m.contains("shard 'model-00003-of-00005.safetensors'") && m.contains("missing"), m);
    }

    @Test
    void truncatedShard() throws IOException {
        Path ckpt = randomCheckpoint(tinyConfig(), Long.MAX_VALUE);
        Path file = ckpt.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
        String m = loadError(ckpt);
        assertTrue(m.contains("out of range") && m.contains("truncated"), m);
    }

    @Test
    void noWeightsAtAll() throws IOException {
        Files.createDirectories(dir.resolve("empty"));
        JSON.writeValue(dir.resolve("empty/config.json").toFile(), tinyConfig());
        String m = loadError(dir.resolve("empty"));
        assertTrue(m.contains("no model.safetensors"), m);
    }

    @Test
    void contradictoryConfigValues() throws IOException {
        ObjectNode c = tinyConfig();
        c.put("num_attention_heads", 5);
        String m = assertThrows(CheckpointException.class, () -> IdeficsConfig.parse("config.json", c)).getMessage();
        assertTrue(m.contains("hidden_size") && m.contains("divisible by num_attention_heads (5)"), m);

        ObjectNode v = tinyConfig();
        ((ObjectNode) v.get("vision_config")).put("patch_size", 7);
        m = assertThrows(CheckpointException.class, () -> IdeficsConfig.parse("config.json", v)).getMessage();
        assertTrue(m.contains("image_size") && m.contains("patch_size (7)"), m);

        ObjectNode t = tinyConfig();
        t.put("hidden_size", "32");
        m = assertThrows(CheckpointException.class, () -> IdeficsConfig.parse("config.json", t)).getMessage();
        assertTrue(m.contains("'hidden_size' must be an integer"), m);

        ObjectNode a = tinyConfig();
        a.put("alpha_type", "matrix");
        m = assertThrows(CheckpointException.class, () -> IdeficsConfig.parse("config.json", a)).getMessage();
        assertTrue(m.contains("'alpha_type'") && m.contains("float, vector"), m);
    }

    @Test
    void unknownKeysAreToleratedAndFlatLegacyKeysRead() throws IOException {
        ObjectNode c = tinyConfig();
        c.put("some_future_option", 42);
        assertEquals(32, IdeficsConfig.parse("config.json", c).hiddenSize());

        ObjectNode flat = tinyConfig();
        ObjectNode vision = (ObjectNode) flat.remove("vision_config");
        vision.fields().forEachRemaining(e -> flat.set("vision_" + e.getKey(), e.getValue()));
        ObjectNode perceiver = (ObjectNode) flat.remove("perceiver_config");
        perceiver.fields().forEachRemaining(e -> flat.set(e.getKey(), e.getValue()));
        IdeficsConfig parsed = IdeficsConfig.parse("config.json", flat);
        assertEquals(IdeficsConfig.parse("config.json", tinyConfig()), parsed);
    }

    @Test
    void weightsStayMappedNotOnTheHeap() throws IOException {
        ObjectNode c = tinyConfig();
        c.put("hidden_size", 512).put("intermediate_size", 1376).put("num_attention_heads", 8);
        ((ObjectNode) c.get("vision_config")).put("embed_dim", 256).put("intermediate_size", 1024)
                .put("image_size", 224).put("patch_size", 14);
        Path ckpt = dir.resolve("medium");
        RandomCheckpoint.write(c, FAMILY.randomCheckpoint(c),
                DType.BF16, ckpt, TestData.fixture("tokenizer"), 3, Long.MAX_VALUE);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        try (IdeficsModel m = IdeficsModel.load(ckpt)) {
            System.gc();
            long heap = rt.totalMemory() - rt.freeMemory() - before;
            long weights = m.checkpoint().totalBytes();
            assertTrue(weights > 70_000_000, "a checkpoint of realistic size: " + weights);
            assertTrue(heap < weights / 10, "heap grew by " + heap + " bytes for " + weights + " bytes of weights");
        }
    }

    @Test
    void releasedPagesReadBackUnchanged() {
        try (Checkpoint c = Checkpoint.open(TestData.model("tiny"))) {
            List<String> names = new ArrayList<>(c.tensorNames());
            List<byte[]> before = new ArrayList<>();
            for (String n : names) {
                before.add(c.fileOf(n).segment(n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            // Every other tensor: its neighbours, which may share its first and last page, stay as they were.
            for (int i = 0; i < names.size(); i += 2) {
                Checkpoint.releasePages(c.fileOf(names.get(i)).segment(names.get(i)));
            }
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                assertTrue(java.util.Arrays.equals(before.get(i),
                        c.fileOf(n).segment(n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)), n);
            }
        }
        Checkpoint.releasePages(java.lang.foreign.MemorySegment.ofArray(new byte[16])); // not mapped: nothing to do
    }

    @Test
    void publishedConfigsParse() {
        IdeficsConfig c9 = IdeficsConfig.parse("9b", ModelFamilies.publishedConfig("idefics-9b"));
        assertEquals(4096, c9.hiddenSize());
        assertEquals(8, c9.numCrossLayers());
        assertEquals(64, c9.imageSeqLen());
        IdeficsConfig c80 = IdeficsConfig.parse("80b", ModelFamilies.publishedConfig("idefics-80b-instruct"));
        assertEquals(8192, c80.hiddenSize());
        assertEquals(3, c80.additionalVocabSize());
        assertEquals(20, c80.numCrossLayers());
    }

    /** Rewrites the tiny random checkpoint dropping one tensor and/or adding an extra one. */
    private Path rewriteWithout(String drop, String extra) throws IOException {
        Path ckpt = randomCheckpoint(tinyConfig(), Long.MAX_VALUE);
        List<SafeTensorsWriter.Tensor> tensors = copyTensors(ckpt.resolve("model.safetensors"));
        tensors.removeIf(t -> t.name().equals(drop));
        if (extra != null) {
            tensors.add(new SafeTensorsWriter.Tensor(extra, DType.BF16, new long[]{2, 2}, seg -> { }));
        }
        Path out = dir.resolve("rewritten");
        copyFolderWith(ckpt, out, tensors);
        return out;
    }

    private static List<SafeTensorsWriter.Tensor> copyTensors(Path file) {
        List<SafeTensorsWriter.Tensor> out = new ArrayList<>();
        SafeTensorsFile f = SafeTensorsFile.open(file);
        for (TensorInfo t : f.tensors().values()) {
            out.add(new SafeTensorsWriter.Tensor(t.name(), t.dtype(), t.shape(),
                    seg -> seg.copyFrom(f.segment(t.name()))));
        }
        return out;
    }

    private static void copyFolderWith(Path src, Path out, List<SafeTensorsWriter.Tensor> tensors)
            throws IOException {
        Files.createDirectories(out);
        try (var files = Files.list(src)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().endsWith(".safetensors")) {
                    Files.copy(p, out.resolve(p.getFileName()));
                }
            }
        }
        SafeTensorsWriter.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    }
}
