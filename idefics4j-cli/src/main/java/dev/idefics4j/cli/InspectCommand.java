package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.idefics4j.checkpoint.IdeficsConfig;
import dev.idefics4j.model.IdeficsModel;
import dev.idefics4j.tensor.quant.QuantizedLoading;
import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Load a checkpoint and report its shape, size, load time and memory use as JSON.")
final class InspectCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOptions model;

    @Override
    public Integer call() throws Exception {
        Path dir = model.dir();
        System.gc();
        long heapBefore = usedHeap();
        long rssBefore = residentBytes();
        long start = System.nanoTime();
        try (IdeficsModel m = QuantizedLoading.load(dir, model.quantization())) {
            double seconds = (System.nanoTime() - start) / 1e9;
            System.gc();
            IdeficsConfig c = m.config();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", dir.toString());
            out.put("hidden_size", c.hiddenSize());
            out.put("num_hidden_layers", c.numHiddenLayers());
            out.put("cross_attention_layers", c.numCrossLayers());
            out.put("vision_layers", c.visionConfig().numHiddenLayers());
            out.put("vocab_size", m.vocabSize());
            out.put("tensors", m.checkpoint().tensorNames().size());
            out.put("weight_bytes", m.checkpoint().totalBytes());
            out.put("load_seconds", seconds);
            out.put("heap_bytes_for_model", usedHeap() - heapBefore);
            out.put("resident_bytes_after_load", residentBytes());
            out.put("resident_bytes_before_load", rssBefore);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        }
        return 0;
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** VmRSS from /proc (Linux); -1 elsewhere. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
