package dev.idefics4j.cli;

import dev.idefics4j.image.PixelBatch;
import dev.idefics4j.model.DecodingState;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.SiglipVisionConfig;
import dev.idefics4j.model.idefics3.Idefics3Config;
import dev.idefics4j.model.idefics3.Idefics3ImageInputs;
import dev.idefics4j.model.idefics3.Idefics3Model;
import dev.idefics4j.processor.ModelInputs;
import dev.idefics4j.tensor.WeightFormat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The measurements of one configuration on a loaded Idefics3 (SmolVLM) model: one full tile through the vision
 * tower and connector, a prompt holding the image tokens of the default splitting of a large photo, decoding one
 * sequence at a context, and a batch of one-row states through {@code stepSequences} as continuous batching runs it.
 */
final class Idefics3Bench {
    /** Frames of a large photo at the default splitting: a 4 × 4 grid of tiles and the global image. */
    static final int PHOTO_FRAMES = 17;
    /** The blocks the layers section times, as the report names them. */
    static final String[] LAYER_MODES = {"llama_decode", "llama_prefill", "siglip", "connector", "lm_head"};

    private final Idefics3Model model;
    private final WeightFormat format;
    private final BenchSettings s;
    private final Consumer<String> progress;
    private final Idefics3Config config;
    private final SplittableRandom random = new SplittableRandom(11);

    Idefics3Bench(Idefics3Model model, WeightFormat format, BenchSettings settings, Consumer<String> progress) {
        this.model = model;
        this.format = format;
        this.s = settings;
        this.progress = progress;
        this.config = model.config();
    }

    /** Adds this configuration's figures to {@code r}. */
    void run(Map<String, Object> r) {
        if (s.runs("image")) {
            image(r);
        }
        if (s.runs("prefill")) {
            prefill(r);
        }
        if (s.runs("decode")) {
            decode(r);
        }
        if (s.runs("batch")) {
            batchDecode(r);
        }
        if (s.runs("gemm")) {
            gemm(r);
        }
        if (s.runs("layers")) {
            layers(r);
        }
    }

    private void image(Map<String, Object> r) {
        int size = config.visionConfig().imageSize();
        float[] pixels = BenchInputs.pixels(random, 3 * size * size, 1);
        byte[] mask = new byte[size * size];
        Arrays.fill(mask, (byte) 1);
        Idefics3ImageInputs tile = new Idefics3ImageInputs(
                new PixelBatch(1, 1, size, size, pixels, mask, new int[]{1}), new int[][]{{0}}, new int[][]{{0}});
        progress.accept("image encode (one " + size + "x" + size + " tile, vision tower and connector)");
        Samples t = Samples.seconds(s.warmup(), s.longReps(), () -> model.encodeImages(tile.pixels(), null));
        r.put("image_encode_s", Samples.round(t.median()));
        r.put("image_encode", t.json());
        r.put("image_gflops", Samples.round(new Idefics3Flops(config).tileFlops() / t.median() / 1e9));
    }

    private int[][] ids(int rows, int tokens) {
        return BenchInputs.ids(random, rows, tokens, 0, config.vocabSize());
    }

    /**
     * The decoder over the image tokens of {@link #PHOTO_FRAMES} frames (their states' values do not change the
     * work, so random token embeddings stand in for them; the frames' encoding is timed by the image section).
     */
    private void prefill(Map<String, Object> r) {
        int n = PHOTO_FRAMES * config.imageSeqLen();
        ModelInputs prompt = ModelInputs.textOnly(ids(1, n), BenchInputs.ones(1, n));
        progress.accept("prefill " + n + " tokens (" + PHOTO_FRAMES + " frames' image tokens)");
        Samples t = Samples.seconds(s.warmup(), s.longReps(), () -> model.prefill(prompt, n));
        r.put("prefill_tokens", n);
        r.put("prefill_s", t.json());
        r.put("prefill_tokens_per_s", Samples.round(n / t.median()));
        r.put("prefill_gflops", Samples.round(new Idefics3Flops(config).prefillFlops(n) / t.median() / 1e9));
    }

    /** A one-row state at {@code context} positions (a cache advanced without a prefill: the values do not matter). */
    private DecodingState stateAt(int capacity) {
        KvCache cache = model.newCache(1, Math.max(capacity, s.context() + 1));
        cache.advance(s.context());
        return new DecodingState(cache, DecodingState.PromptState.NONE);
    }

    private int capacity(int steps) {
        return s.context() + s.warmup() + steps + 1;
    }

    private void decode(Map<String, Object> r) {
        progress.accept("decode at " + s.context() + " tokens of context");
        Samples t = Samples.seconds(s.warmup(), s.decodeSteps(), step(stateAt(capacity(s.decodeSteps()))));
        long bytes = model.decodeWeightBytes();
        r.put("decode_context", s.context());
        r.put("decode_s_per_token", t.json());
        r.put("decode_tokens_per_s", Samples.round(1 / t.median()));
        r.put("decode_weight_bytes_per_token", bytes);
        r.put("decode_weight_gb_per_s", Samples.round(bytes / t.median() / 1e9));
    }

    private Runnable step(DecodingState state) {
        int[][] ids = ids(1, 1);
        return () -> model.step(state, ids, BenchInputs.ones(1, state.length() + 1), false);
    }

    private Runnable stepAll(List<DecodingState> states) {
        int[] tokens = new int[states.size()];
        Arrays.setAll(tokens, i -> random.nextInt(config.vocabSize()));
        return () -> {
            int[][] masks = new int[states.size()][];
            for (int i = 0; i < masks.length; i++) {
                masks[i] = new int[states.get(i).length() + 1];
                Arrays.fill(masks[i], 1);
            }
            model.stepSequences(states, tokens, masks);
        };
    }

    private List<DecodingState> states(int rows, int capacity) {
        List<DecodingState> states = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            states.add(stateAt(capacity));
        }
        return states;
    }

    /**
     * {@code batch} one-row states, one token each per step, and the speedup over one sequence ({@link PairedSpeedup}).
     */
    private void batchDecode(Map<String, Object> r) {
        int rows = s.batch();
        progress.accept("decode " + rows + " sequences at " + s.context() + " tokens of context");
        Samples t = Samples.seconds(s.warmup(), s.decodeSteps(), stepAll(states(rows, capacity(s.decodeSteps()))));
        PairedSpeedup.batchFigures(r, rows, t);
        int capacity = capacity(PairedSpeedup.ROUNDS * PairedSpeedup.steps(s));
        PairedSpeedup.measure(r, step(stateAt(capacity)), stepAll(states(rows, capacity)), rows, s);
    }

    /** The decoder's first MLP product at a prompt's length and the tower's over one full tile. */
    private void gemm(Map<String, Object> r) {
        SiglipVisionConfig v = config.visionConfig();
        new GemmBench(s, progress, random).run(r, model.checkpoint(), format, "model.text_model.layers.0.",
                config.textConfig(), v.hiddenSize(), v.intermediateSize(), v.numPositions());
    }

    /**
     * Each block of {@link #LAYER_MODES} alone, in ms: a decoder layer decoding one token at {@code context} and
     * prefilling the photo prompt's {@link #PHOTO_FRAMES} frames of image tokens, a SigLIP encoder layer and the
     * connector over one tile, the lm head over one row.
     */
    private void layers(Map<String, Object> r) {
        Idefics3LayerBench bench = new Idefics3LayerBench(model);
        int prompt = PHOTO_FRAMES * config.imageSeqLen();
        LayerTimes times = LayerTimes.measure(LAYER_MODES, mode -> mode.equals("llama_prefill")
                || mode.equals("siglip"), mode -> switch (mode) {
                    case "llama_decode" -> bench.decoderLayer(1, s.context());
                    case "llama_prefill" -> bench.decoderLayer(prompt, 0);
                    case "siglip" -> bench.siglipLayer();
                    case "connector" -> bench.connector();
                    default -> bench.lmHead(1);
                }, s, progress);
        r.put("layers_prefill_tokens", prompt);
        r.put("layers_ms", times.ms());
    }
}
