package dev.idefics4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.idefics4j.Completion;
import dev.idefics4j.Idefics;
import dev.idefics4j.image.ImageSource;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.processor.ProcessorOptions;
import dev.idefics4j.tensor.quant.QuantizedLoading;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Load a checkpoint and report its shape, size, load time and memory use as JSON.",
                "With --decode N it then captions an image (a random one unless --image), decoding N tokens, and the"
                        + " peak resident memory (peak_resident_bytes) covers that run too."})
final class InspectCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOptions model;

    @Option(names = "--decode", paramLabel = "N", defaultValue = "0",
            description = "After loading, caption an image decoding exactly N new tokens (greedy); 0: load only.")
    int decode;

    @Option(names = "--image", paramLabel = "IMAGE",
            description = "With --decode: the image to caption (default: random 224x224 pixels).")
    String image;

    @Override
    public Integer call() throws Exception {
        if (decode < 0) {
            throw new IllegalArgumentException("--decode must be 0 or more, not " + decode);
        }
        System.gc();
        long heapBefore = usedHeap();
        long rssBefore = residentBytes();
        long start = System.nanoTime();
        // A caption needs the tokenizer and processor too, which the facade loads beside the same model.
        Idefics idefics = decode > 0 ? Session.open(model) : null;
        Path dir = model.dir();
        VisionLanguageModel m = idefics != null ? idefics.model()
                : ModelFamilies.of(dir).load(dir, QuantizedLoading.linears(dir, model.quantization()), false);
        try (AutoCloseable loaded = idefics != null ? idefics : m) {
            double seconds = (System.nanoTime() - start) / 1e9;
            System.gc();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", dir.toString());
            out.putAll(m.describe());
            out.put("vocab_size", m.vocabSize());
            out.put("tensors", m.checkpoint().tensorNames().size());
            out.put("weight_bytes", m.checkpoint().totalBytes());
            out.put("loaded_weight_bytes", m.checkpoint().loadedBytes());
            out.put("load_seconds", seconds);
            out.put("heap_bytes_for_model", usedHeap() - heapBefore);
            out.put("resident_bytes_after_load", residentBytes());
            out.put("resident_bytes_before_load", rssBefore);
            out.put("peak_resident_bytes_after_load", ProcessMemory.read().peakResidentBytes());
            if (idefics != null) {
                caption(idefics, out);
            }
            ProcessMemory now = ProcessMemory.read();
            out.put("resident_bytes", now.residentBytes());
            out.put("resident_anon_bytes", now.anonBytes());
            out.put("resident_file_bytes", now.fileBytes());
            out.put("peak_resident_bytes", now.peakResidentBytes());
            Runtime r = Runtime.getRuntime();
            out.put("heap_committed_bytes", r.totalMemory());
            out.put("heap_max_bytes", r.maxMemory());
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        }
        return 0;
    }

    /** Captions the image with exactly {@code decode} new tokens: one prefill with the image, then decode steps. */
    private void caption(Idefics idefics, Map<String, Object> out) {
        ImageSource source = image != null ? TaskCommands.Common.image(image) : ImageSource.image(randomImage());
        var config = idefics.guideConfig().withOverrides(Map.of("max_new_tokens", decode, "min_new_tokens", decode,
                "do_sample", false, "num_beams", 1));
        long start = System.nanoTime();
        Completion done = idefics.generate(List.of(idefics.prompts().caption(source)), ProcessorOptions.DEFAULTS, config)
                .get(0);
        out.put("decode_seconds", (System.nanoTime() - start) / 1e9);
        out.put("prompt_tokens", done.ids().length - done.newIds().length);
        out.put("decoded_tokens", done.produced());
        out.put("resident_bytes_after_decode", residentBytes());
    }

    private static BufferedImage randomImage() {
        BufferedImage img = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
        SplittableRandom random = new SplittableRandom(7);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return img;
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** VmRSS from /proc (Linux); -1 elsewhere. */
    static long residentBytes() {
        return ProcessMemory.read().residentBytes();
    }
}
