package dev.idefics4j.cli;

import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.idefics.IdeficsConfig;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.model.idefics.ImageContext;
import dev.idefics4j.tensor.WeightFormat;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The measurements of one configuration (weight format x threads) on a loaded model: image encoding, a prefill
 * with one image, decoding at a long context for one sequence and for a batch, a prefill-shaped and a
 * vision-shaped GEMM, and single layers; each with min / median / max over repetitions after warm-up.
 */
final class ModelBench {
    private final IdeficsModel model;
    private final WeightFormat format;
    private final BenchSettings s;
    private final Consumer<String> progress;
    private final IdeficsConfig config;
    private final SplittableRandom random = new SplittableRandom(11);

    ModelBench(IdeficsModel model, WeightFormat format, BenchSettings settings, Consumer<String> progress) {
        this.model = model;
        this.format = format;
        this.s = settings;
        this.progress = progress;
        this.config = model.config();
    }

    /** Adds this configuration's figures to {@code r}. */
    void run(Map<String, Object> r) {
        // Without the image section, the text side gets random image states (the vision tower is not timed).
        ImageContext images = s.runs("image") ? image(r) : new LayerBench(model).randomImages(1);
        if (s.runs("prefill")) {
            prefill(r, images);
        }
        if (s.runs("decode")) {
            decode(r, images);
        }
        if (s.runs("batch")) {
            batchDecode(r, images);
        }
        if (s.runs("gemm")) {
            gemm(r);
        }
        if (s.runs("layers")) {
            layers(r);
        }
    }

    private ImageContext image(Map<String, Object> r) {
        int size = config.visionConfig().imageSize();
        float[] pixels = BenchInputs.pixels(random, 3 * size * size, 2);
        progress.accept("image encode");
        ImageContext[] last = new ImageContext[1];
        Samples t = Samples.seconds(s.warmup(), s.longReps(),
                () -> last[0] = model.encodeImages(pixels, 1, 1, null, null));
        double flops = new ModelFlops(config).imageFlops();
        r.put("image_encode_s", Samples.round(t.median()));
        r.put("image_encode", t.json());
        r.put("image_gflops", Samples.round(flops / t.median() / 1e9));
        return last[0];
    }

    private int[][] ids(int rows, int tokens) {
        return BenchInputs.ids(random, rows, tokens, 3, config.vocabSize());
    }

    private static int[][][] seeImage(int rows, int tokens) {
        int[][][] m = new int[rows][tokens][1];
        for (int[][] row : m) {
            for (int[] t : row) {
                t[0] = 1;
            }
        }
        return m;
    }

    /** A prompt of promptTokens tokens, all seeing the image, into a fresh cache each time. */
    private void prefill(Map<String, Object> r, ImageContext images) {
        int n = s.promptTokens();
        int[][] ids = ids(1, n);
        int[][] mask = BenchInputs.ones(1, n);
        int[][][] imageMask = seeImage(1, n);
        progress.accept("prefill " + n + " tokens");
        Samples t = Samples.seconds(s.warmup(), s.longReps(),
                () -> model.forward(ids, mask, imageMask, images, model.newCache(1, n), false, null));
        r.put("prefill_tokens", n);
        r.put("prefill_s", t.json());
        r.put("prefill_tokens_per_s", Samples.round(n / t.median()));
        r.put("prefill_gflops", Samples.round(new ModelFlops(config).prefillFlops(n) / t.median() / 1e9));
    }

    /**
     * One token at a time after a context of {@code context} positions (a cache filled without a prefill: the
     * values do not change the work); the context grows by one per step.
     */
    private void decode(Map<String, Object> r, ImageContext images) {
        progress.accept("decode at " + s.context() + " tokens of context");
        KvCache cache = LayerBench.cacheAt(model, 1, s.context(), s.context() + s.warmup() + s.decodeSteps() + 1);
        Samples t = decodeSteps(images, cache, 1);
        long bytes = model.decodeWeightBytes();
        r.put("decode_context", s.context());
        r.put("decode_s_per_token", t.json());
        r.put("decode_tokens_per_s", Samples.round(1 / t.median()));
        r.put("decode_weight_bytes_per_token", bytes);
        r.put("decode_weight_gb_per_s", Samples.round(bytes / t.median() / 1e9));
    }

    private Samples decodeSteps(ImageContext images, KvCache cache, int rows) {
        return Samples.seconds(s.warmup(), s.decodeSteps(), step(images, cache, rows));
    }

    /** {@code batch} sequences at the same context, one token each per step: the weights are read once a step. */
    private void batchDecode(Map<String, Object> r, ImageContext images) {
        int rows = s.batch();
        progress.accept("decode " + rows + " sequences at " + s.context() + " tokens of context");
        KvCache cache = LayerBench.cacheAt(model, rows, s.context(), s.context() + s.warmup() + s.decodeSteps() + 1);
        Samples t = decodeSteps(images.select(new int[rows]), cache, rows);
        PairedSpeedup.batchFigures(r, rows, t);
        pairedSpeedup(r, images, rows);
    }

    /** The batch's speedup over one sequence from steps taken in alternation ({@link PairedSpeedup}). */
    private void pairedSpeedup(Map<String, Object> r, ImageContext images, int rows) {
        // Both from the same context, which grows by a step or two per round alike.
        int capacity = s.context() + s.warmup() + PairedSpeedup.ROUNDS * PairedSpeedup.steps(s) + 1;
        KvCache single = LayerBench.cacheAt(model, 1, s.context(), capacity);
        KvCache batch = LayerBench.cacheAt(model, rows, s.context(), capacity);
        PairedSpeedup.measure(r, step(images, single, 1), step(images.select(new int[rows]), batch, rows), rows, s);
    }

    private Runnable step(ImageContext images, KvCache cache, int rows) {
        int[][] ids = ids(rows, 1);
        int[][][] imageMask = seeImage(rows, 1);
        return () -> model.forward(ids, BenchInputs.ones(rows, cache.length() + 1), imageMask, images, cache, false,
                null);
    }

    /** GEMMs of the prefill MLP (tokens x hidden by intermediate) and the vision MLP (257 x 1280 by 5120). */
    private void gemm(Map<String, Object> r) {
        var v = config.visionConfig();
        new GemmBench(s, progress, random).run(r, model.checkpoint(), format, "model.layers.0.", config.textConfig(),
                v.embedDim(), v.intermediateSize(), v.numPositions());
    }

    /** The torch_layers.py modes on this model's layers (same shapes for a 9b-shaped checkpoint), in ms. */
    private void layers(Map<String, Object> r) {
        LayerBench bench = new LayerBench(model);
        int n = s.promptTokens();
        LayerTimes times = LayerTimes.measure(BenchSettings.LAYER_MODES, mode -> mode.endsWith("prefill"),
                mode -> switch (mode) {
                    case "llama_decode" -> bench.decoderLayer(1, s.context());
                    case "xattn_decode" -> bench.crossAttentionLayer(1);
                    case "llama_prefill" -> bench.decoderLayer(n, 0);
                    case "xattn_prefill" -> bench.crossAttentionLayer(n);
                    case "vit" -> bench.visionLayer();
                    default -> bench.lmHead(1);
                }, s, progress);
        r.put("layers_ms", times.ms());
        Object image = r.get("image_encode_s");
        double imageSeconds = image instanceof Double d ? d : Double.NaN;
        r.put("extrapolated", Extrapolation.estimate(config, times.medianSeconds(), imageSeconds, n));
    }
}
