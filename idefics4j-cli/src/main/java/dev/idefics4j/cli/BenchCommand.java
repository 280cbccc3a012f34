package dev.idefics4j.cli;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.ImageTokenModel;
import dev.idefics4j.model.ModelFamilies;
import dev.idefics4j.model.VisionLanguageModel;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.model.idefics3.Idefics3Model;
import dev.idefics4j.tensor.Bf16Dot;
import dev.idefics4j.tensor.Bf16DotWeight;
import dev.idefics4j.tensor.NativeDecoding;
import dev.idefics4j.tensor.Parallel;
import dev.idefics4j.tensor.Warmup;
import dev.idefics4j.tensor.WeightFormat;
import dev.idefics4j.tensor.WeightFormats;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark idefics4j on a random-weight checkpoint (idefics-9b shapes, a few decoder layers; or"
                + " --like SmolVLM-256M-Instruct, an Idefics3 checkpoint)"
                + " beside the machine's read bandwidth and FP32 FMA peak, measured in the same run.",
                "Reports image encoding, prefill and decoding speed, weight streaming, GEMM throughput and single"
                        + " layers (the shapes of torch_layers.py), each as min/median/max and as a ratio to those"
                        + " limits, for every weight format and thread count asked for."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Checkpoint to run (default: a random one written once into the cache).")
    Path checkpoint;

    @Option(names = "--like", defaultValue = "idefics-9b", paramLabel = "MODEL",
            description = "Shapes of the random checkpoint (default: ${DEFAULT-VALUE}).")
    String like;

    @Option(names = "--text-layers", defaultValue = "2", paramLabel = "N",
            description = "Decoder layers of the random checkpoint (default: ${DEFAULT-VALUE}).")
    int textLayers;

    @Option(names = "--dtype", split = ",", paramLabel = "LIST",
            description = "Weight formats: bf16, bf16-resident, f16, f32 (default: bf16,bf16-resident,f32;"
                    + " --quick: bf16).")
    List<String> dtypes;

    @Option(names = "--quantize", split = ",", paramLabel = "LIST",
            description = "Quantized formats to add: fp4, nf4, nf4-dq, int8 (default: every one on the class path;"
                    + " none for none; --quick: none).")
    List<String> quantize;

    @Option(names = "--bf16-dot", description = "Measure each format with bf16 dot products on top (images and"
            + " prompts of quantized formats; as --bf16-dot does when loading; reported as FORMAT+bf16-dot).")
    boolean bf16Dot;

    @Option(names = "--threads", split = ",", paramLabel = "LIST",
            description = "Thread counts (default: 1 and all processors; --quick: all processors).")
    List<Integer> threads;

    @Option(names = "--sections", split = ",", paramLabel = "LIST",
            description = "What to measure: probes, image, prefill, decode, batch, gemm, layers (default: all;"
                    + " --quick: all but layers).")
    List<String> sections;

    @Option(names = "--quick", description = "A run under a minute: fewer repetitions, bf16 only, all processors.")
    boolean quick;

    @Option(names = "--reps", paramLabel = "N", description = "Timed repetitions of the short measurements.")
    Integer reps;

    @Option(names = "--batch", paramLabel = "N",
            description = "Sequences decoded together in the batch section (default: 8).")
    Integer batch;

    @Option(names = "--json", description = "Print the report as one JSON object instead of a table.")
    boolean json;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON report to FILE.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Set<String> chosen = new LinkedHashSet<>(sections != null ? sections
                : quick ? List.of("probes", "image", "prefill", "decode", "batch", "gemm") : BenchSettings.ALL);
        for (String sec : chosen) {
            if (!BenchSettings.ALL.contains(sec)) {
                throw new IllegalArgumentException("unknown section '" + sec + "'; known: " + BenchSettings.ALL);
            }
        }
        BenchSettings settings = quick ? BenchSettings.quick(chosen) : BenchSettings.standard(chosen);
        if (batch != null && batch < 2) {
            throw new IllegalArgumentException("--batch must be at least 2 sequences, got " + batch);
        }
        if (reps != null || batch != null) {
            int r = reps != null ? reps : settings.reps();
            int longReps = reps != null ? Math.max(1, reps / 2) : settings.longReps();
            settings = new BenchSettings(settings.warmup(), r, longReps, settings.decodeSteps(),
                    settings.promptTokens(), settings.context(), batch != null ? batch : settings.batch(),
                    settings.probeBytes(), chosen);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        List<Integer> threadCounts = threads != null ? threads
                : quick || cores == 1 ? List.of(cores) : List.of(1, cores);
        List<WeightFormat> formats = formats();
        Path dir = BenchCheckpoint.resolve(checkpoint, like, textLayers, BenchCommand::progress);

        progress("JIT warm-up of the kernels");
        double warmup = Warmup.run();
        List<Map<String, Object>> results = new ArrayList<>();
        Map<String, Object> checkpointInfo = new LinkedHashMap<>();
        for (WeightFormat format : formats) {
            progress("loading " + dir + " as " + format.name());
            boolean peakReset = ProcessMemory.resetPeak();
            long start = System.nanoTime();
            // As loading with --bf16-dot does: bf16 activations keep a bf16 KV cache.
            try (VisionLanguageModel model = load(dir, format, format.name().endsWith(Bf16DotWeight.FORMAT))) {
                double loadSeconds = (System.nanoTime() - start) / 1e9;
                Consumer<Map<String, Object>> bench = bench(model, format, settings, checkpointInfo, dir);
                for (int t : threadCounts) {
                    Parallel.setThreads(t);
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("dtype", format.name());
                    r.put("threads", t);
                    r.put("load_s", Samples.round(loadSeconds));
                    r.put("kv_cache", bf16KvCache(model) ? "bf16" : "f32");
                    progress(format.name() + ", " + t + " thread(s)");
                    measure(bench, settings, r);
                    // Since this format was loaded (where the peak can be reset; else since the process started).
                    r.put("peak_rss_gb", ProcessMemory.gb(ProcessMemory.read().peakResidentBytes()));
                    r.put("peak_rss_since", peakReset ? "load" : "start");
                    results.add(r);
                }
            }
            System.gc(); // converted copies are off-heap, freed once collected
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("machine", machine());
        report.put("checkpoint", checkpointInfo);
        Map<String, Object> settingsJson = settingsJson(settings);
        settingsJson.put("jit_warmup_s", Samples.round(warmup));
        report.put("settings", settingsJson);
        report.put("results", results);
        if (out != null) {
            Files.writeString(out, Json.write(report) + "\n");
        }
        if (json) {
            System.out.println(Json.write(report));
        } else {
            BenchTable.print(report, System.out);
        }
        return 0;
    }

    private List<WeightFormat> formats() {
        List<String> names = new ArrayList<>(dtypes != null ? dtypes
                : quick ? List.of("bf16") : List.of("bf16", WeightFormats.RESIDENT, "f32"));
        Set<String> plain = Set.of("bf16", "f16", "f32", WeightFormats.RESIDENT);
        if (quantize == null) {
            WeightFormats.available().stream().map(WeightFormat::name).filter(n -> !plain.contains(n))
                    .filter(n -> !quick).forEach(names::add);
        } else if (!(quantize.size() == 1 && quantize.get(0).equalsIgnoreCase("none"))) {
            names.addAll(quantize);
        }
        List<WeightFormat> named = names.stream().distinct().map(WeightFormats::named).toList();
        if (!bf16Dot) {
            return named;
        }
        Bf16DotWeight.requireAvailable();
        return named.stream().filter(f -> !f.name().equals(Bf16DotWeight.FORMAT))
                .map(f -> WeightFormat.of(f.name() + "+" + Bf16DotWeight.FORMAT, w -> Bf16DotWeight.wrap(f.apply(w))))
                .toList();
    }

    // As loading with --bf16-dot does: bf16 activations keep a bf16 KV cache.
    private static VisionLanguageModel load(Path dir, WeightFormat format, boolean bf16KvCache) {
        return ModelFamilies.of(dir).load(dir, Checkpoint.LinearLoader.converting(format), bf16KvCache);
    }

    /**
     * The measurements of the model's family, its shape added to {@code info}: IDEFICS v1's blocks (gated
     * cross-attention, its vision tower, extrapolated to 9b/80b), or Idefics3's (SmolVLM) through its vision tower,
     * connector and decoder.
     */
    private static Consumer<Map<String, Object>> bench(VisionLanguageModel model, WeightFormat format,
                                                       BenchSettings settings, Map<String, Object> info, Path dir) {
        info.putIfAbsent("dir", dir.toString());
        if (model instanceof IdeficsModel v1) {
            info.putIfAbsent("decoder_layers", v1.config().numHiddenLayers());
            info.putIfAbsent("cross_attention_layers", v1.config().numCrossLayers());
            info.putIfAbsent("hidden_size", v1.config().hiddenSize());
            return r -> new ModelBench(v1, format, settings, BenchCommand::progress).run(r);
        }
        if (model instanceof Idefics3Model v3) {
            info.putIfAbsent("model_type", model.describe().get("model_type"));
            info.putIfAbsent("decoder_layers", v3.config().textConfig().numHiddenLayers());
            info.putIfAbsent("hidden_size", v3.config().textConfig().hiddenSize());
            info.putIfAbsent("vision_layers", v3.config().visionConfig().numHiddenLayers());
            info.putIfAbsent("image_size", v3.config().visionConfig().imageSize());
            info.putIfAbsent("image_seq_len", v3.config().imageSeqLen());
            return r -> new Idefics3Bench(v3, format, settings, BenchCommand::progress).run(r);
        }
        throw new IllegalArgumentException("bench measures IDEFICS v1 and Idefics3 (SmolVLM) checkpoints; " + dir
                + " is " + model.describe().get("model_type"));
    }

    private static boolean bf16KvCache(VisionLanguageModel model) {
        return model instanceof IdeficsModel v1 ? v1.bf16KvCache() : ((ImageTokenModel<?>) model).bf16KvCache();
    }

    /** Probes before and after the model measurements: the ratio uses the median of all readings. */
    private static void measure(Consumer<Map<String, Object>> bench, BenchSettings s, Map<String, Object> r) {
        ReadBandwidthProbe bandwidth = s.runs("probes") ? new ReadBandwidthProbe(s.probeBytes()) : null;
        FmaPeakProbe fma = new FmaPeakProbe();
        List<Double> bw = new ArrayList<>();
        List<Double> peak = new ArrayList<>();
        try {
            if (bandwidth != null) {
                progress("probes: read bandwidth, FP32 FMA peak");
                probe(bandwidth, fma, s, bw, peak);
            }
            bench.accept(r);
            if (bandwidth != null) {
                probe(bandwidth, fma, s, bw, peak);
            }
        } finally {
            if (bandwidth != null) {
                bandwidth.close();
            }
        }
        if (bw.isEmpty()) {
            return;
        }
        Samples bws = new Samples(bw.stream().mapToDouble(Double::doubleValue).toArray());
        Samples peaks = new Samples(peak.stream().mapToDouble(Double::doubleValue).toArray());
        r.put("read_bandwidth_gb_per_s", Samples.round(bws.median()));
        r.put("read_bandwidth", bws.json());
        r.put("fp32_peak_gflops", Samples.round(peaks.median()));
        r.put("fp32_peak", peaks.json());
        ratio(r, "decode_bandwidth_ratio", "decode_weight_gb_per_s", bws.median());
        ratio(r, "gemm_peak_ratio", "gemm_gflops", peaks.median());
        ratio(r, "vision_gemm_peak_ratio", "vision_gemm_gflops", peaks.median());
        ratio(r, "prefill_peak_ratio", "prefill_gflops", peaks.median());
        ratio(r, "image_peak_ratio", "image_gflops", peaks.median());
    }

    private static void probe(ReadBandwidthProbe bandwidth, FmaPeakProbe fma, BenchSettings s, List<Double> bw,
                              List<Double> peak) {
        for (double v : Samples.readings(1, s.reps(), bandwidth::measure).values()) {
            bw.add(v);
        }
        for (double v : Samples.readings(1, s.reps(), () -> fma.measure(4_000_000)).values()) {
            peak.add(v);
        }
    }

    private static void ratio(Map<String, Object> r, String name, String figure, double limit) {
        if (r.get(figure) instanceof Double v) {
            r.put(name, Samples.round(v / limit));
        }
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("processors", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuName());
        m.put("vector_bits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        m.put("decoding_kernels", NativeDecoding.describe());
        m.put("bf16_dot", Bf16Dot.available() ? "available" : Bf16Dot.unavailableReason());
        m.put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("max_heap_gb", Samples.round(Runtime.getRuntime().maxMemory() / 1e9));
        return m;
    }

    private static String cpuName() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static Map<String, Object> settingsJson(BenchSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warmup", s.warmup());
        m.put("reps", s.reps());
        m.put("long_reps", s.longReps());
        m.put("decode_steps", s.decodeSteps());
        m.put("prompt_tokens", s.promptTokens());
        m.put("context", s.context());
        m.put("batch", s.batch());
        m.put("probe_bytes", s.probeBytes());
        m.put("sections", List.copyOf(s.sections()));
        return m;
    }

    static void progress(String message) {
        System.err.println("bench: " + message);
    }
}
