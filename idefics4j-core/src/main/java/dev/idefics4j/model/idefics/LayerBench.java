package dev.idefics4j.model.idefics;

import dev.idefics4j.model.DecoderBatch;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.model.LlamaDecoderLayer;
import dev.idefics4j.model.RotaryEmbedding;

import java.util.SplittableRandom;

/**
 * Single layers of a loaded model on synthetic inputs, so benchmarks can time them apart from the rest and
 * compare them with other implementations layer for layer: a decoder layer, a gated cross-attention block, a
 * vision encoder layer and the lm head, each a {@link Runnable} that repeats the same work on every call.
 */
public final class LayerBench {
    private final IdeficsModel model;
    private final SplittableRandom random = new SplittableRandom(7);

    public LayerBench(IdeficsModel model) {
        this.model = model;
    }

    /** A KV cache of {@code rows} rows already holding {@code length} positions (zeros): decoding without prefill. */
    public static KvCache cacheAt(IdeficsModel model, int rows, int length, int capacity) {
        KvCache cache = model.newCache(rows, Math.max(capacity, length + 1));
        cache.advance(length);
        return cache;
    }

    /**
     * One image per row as the text decoder sees it, from random image states instead of the vision tower (for
     * timing the text side alone): every cross-attention layer's keys and values projected from them.
     */
    public ImageContext randomImages(int rows) {
        int seq = model.config().imageSeqLen();
        int dim = model.config().visionConfig().embedDim();
        int layers = model.config().numCrossLayers();
        float[] states = randomStates(seq * dim);
        float[][] rowStates = new float[rows][];
        float[][][] keys = new float[layers][rows][];
        float[][][] values = new float[layers][rows][];
        for (int l = 0; l < layers; l++) {
            float[][] kv = model.crossAttentionLayer(l).projectImages(states, seq);
            for (int b = 0; b < rows; b++) {
                keys[l][b] = kv[0];
                values[l][b] = kv[1];
            }
        }
        java.util.Arrays.fill(rowStates, states);
        int[] counts = new int[rows];
        java.util.Arrays.fill(counts, 1);
        return new ImageContext(seq, dim, counts, rowStates, keys, values);
    }

    private float[] randomStates(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    private static boolean[][] allTrue(int rows, int n) {
        boolean[][] b = new boolean[rows][n];
        for (boolean[] r : b) {
            java.util.Arrays.fill(r, true);
        }
        return b;
    }

    /** Decoder layer 0 over {@code tokens} new tokens after {@code past} cached ones (decode: 1 after 512). */
    public Runnable decoderLayer(int tokens, int past) {
        LlamaConfig text = model.config().textConfig();
        LlamaDecoderLayer layer = new LlamaDecoderLayer(text, model.checkpoint(), "model.layers.0.", 0,
                RotaryEmbedding.of(text));
        float[] input = randomStates(tokens * text.hiddenSize());
        KvCache cache = new KvCache(1, 1, text.numKeyValueHeads(), text.headDim(), past + tokens);
        cache.advance(past);
        int[][] positions = new int[1][tokens];
        for (int t = 0; t < tokens; t++) {
            positions[0][t] = past + t;
        }
        DecoderBatch batch = new DecoderBatch(tokens, new KvCache[]{cache}, new int[1], positions,
                allTrue(1, past + tokens));
        float[] h = new float[input.length];
        return () -> {
            System.arraycopy(input, 0, h, 0, h.length);
            layer.forward(h, batch);
        };
    }

    /**
     * Gated cross-attention block 0 over {@code tokens} tokens that all see one image; with more than one token
     * (prefill) each call also projects the image states into keys and values, which decoding reuses.
     */
    public Runnable crossAttentionLayer(int tokens) {
        GatedCrossAttentionLayer layer = model.crossAttentionLayer(0);
        int hidden = model.config().hiddenSize();
        int seq = model.config().imageSeqLen();
        int dim = model.config().visionConfig().embedDim();
        float[] states = randomStates(seq * dim);
        float[] input = randomStates(tokens * hidden);
        int layers = model.config().numCrossLayers();
        float[][][] keys = new float[layers][1][];
        float[][][] values = new float[layers][1][];
        float[][] kv = layer.projectImages(states, seq);
        keys[0][0] = kv[0];
        values[0][0] = kv[1];
        ImageContext images = new ImageContext(seq, dim, new int[]{1}, new float[][]{states}, keys, values);
        int[][][] imageMask = new int[1][tokens][1];
        for (int t = 0; t < tokens; t++) {
            imageMask[0][t][0] = 1;
        }
        boolean[][] gate = allTrue(1, tokens);
        float[] h = new float[input.length];
        return () -> {
            if (tokens > 1) {
                float[][] fresh = layer.projectImages(states, seq);
                keys[0][0] = fresh[0];
                values[0][0] = fresh[1];
            }
            System.arraycopy(input, 0, h, 0, h.length);
            layer.forward(h, 1, tokens, imageMask, gate, images);
        };
    }

    /** Vision encoder layer 0 over one image's tokens (257 for ViT-H/14 at 224 px). */
    public Runnable visionLayer() {
        VisionEncoderLayer layer = model.visionModel().layer(0);
        int tokens = model.config().visionConfig().numPositions();
        int dim = model.config().visionConfig().embedDim();
        float[] input = randomStates(tokens * dim);
        float[] h = new float[input.length];
        return () -> {
            System.arraycopy(input, 0, h, 0, h.length);
            layer.forward(h, tokens);
        };
    }

    /** The lm head over {@code rows} final hidden states. */
    public Runnable lmHead(int rows) {
        DecoupledLinear head = model.lmHead();
        float[] input = randomStates(rows * model.config().hiddenSize());
        return () -> head.forward(input, rows);
    }
}
