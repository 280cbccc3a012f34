package dev.idefics4j.cli;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.EncoderLayerScratch;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.VisionEncoderLayer;
import dev.idefics4j.model.idefics.GatedCrossAttentionLayer;
import dev.idefics4j.model.idefics.IdeficsConfig;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.model.idefics.ImageContext;
import dev.idefics4j.model.idefics.VisionConfig;
import dev.idefics4j.model.idefics.VisionTransformer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Single layers of a loaded IDEFICS checkpoint on synthetic inputs, so the benchmark can time them apart from the
 * rest and compare them with other implementations layer for layer: a decoder layer, a gated cross-attention
 * block, a vision encoder layer and the lm head, each a {@link Runnable} that repeats the same work on every call.
 * Each layer is built afresh from the model's checkpoint (in the format it was loaded in).
 */
final class LayerBench {
    private final IdeficsModel model;
    private final IdeficsConfig config;
    private final Checkpoint ckpt;
    private final SplittableRandom random = new SplittableRandom(7);
    private final TextLayerBench text;

    LayerBench(IdeficsModel model) {
        this.model = model;
        this.config = model.config();
        this.ckpt = model.checkpoint();
        // The main matrix of the head: vocab_size rows, the few added-token rows aside.
        String head = ckpt.contains("lm_head.weight") ? "lm_head.weight" : "model.embed_tokens.weight";
        this.text = new TextLayerBench(config.textConfig(), ckpt, "model.layers.0.", head, model.bf16KvCache(),
                random);
    }

    /** A KV cache of {@code rows} rows already holding {@code length} positions (zeros): decoding without prefill. */
    static KvCache cacheAt(IdeficsModel model, int rows, int length, int capacity) {
        KvCache cache = model.newCache(rows, Math.max(capacity, length + 1));
        cache.advance(length);
        return cache;
    }

    /**
     * One image per row as the text decoder sees it, from random image states instead of the vision tower (for
     * timing the text side alone): every cross-attention layer's keys and values projected from them.
     */
    ImageContext randomImages(int rows) {
        float[][] states = new float[rows][];
        Arrays.fill(states, randomStates(config.imageSeqLen() * config.visionConfig().embedDim()));
        int[] counts = new int[rows];
        Arrays.fill(counts, 1);
        return model.projectImages(states, counts, config.imageSeqLen());
    }

    private float[] randomStates(int n) {
        return TextLayerBench.randomStates(random, n);
    }

    /** Decoder layer 0 over {@code tokens} new tokens after {@code past} cached ones (decode: 1 after 512). */
    Runnable decoderLayer(int tokens, int past) {
        return text.decoderLayer(tokens, past);
    }

    /**
     * Gated cross-attention block 0 over {@code tokens} tokens that all see one image; with more than one token
     * (prefill) each call also projects the image states into keys and values, which decoding reuses.
     */
    Runnable crossAttentionLayer(int tokens) {
        GatedCrossAttentionLayer layer = new GatedCrossAttentionLayer(config, ckpt, 0);
        int seq = config.imageSeqLen();
        int dim = config.visionConfig().embedDim();
        float[] states = randomStates(seq * dim);
        float[] input = randomStates(tokens * config.hiddenSize());
        int layers = config.numCrossLayers();
        float[][][] keys = new float[layers][1][];
        float[][][] values = new float[layers][1][];
        float[][] kv = layer.projectImages(states, seq);
        keys[0][0] = kv[0];
        values[0][0] = kv[1];
        ImageContext images = new ImageContext(seq, dim, new int[]{1}, new float[][]{states}, keys, values);
        int[][][] imageMask = new int[1][tokens][];
        Arrays.fill(imageMask[0], new int[]{1});
        boolean[][] gate = new boolean[1][tokens];
        Arrays.fill(gate[0], true);
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
    Runnable visionLayer() {
        VisionConfig v = config.visionConfig();
        VisionEncoderLayer layer = VisionTransformer.layer(v, ckpt, "model.vision_model.encoder.layers.0.");
        int tokens = v.numPositions();
        float[] input = randomStates(tokens * v.embedDim());
        float[] h = new float[input.length];
        EncoderLayerScratch scratch = new EncoderLayerScratch(tokens, v.embedDim(), v.intermediateSize());
        return () -> {
            System.arraycopy(input, 0, h, 0, h.length);
            layer.forward(h, tokens, null, scratch);
        };
    }

    /** The lm head's main matrix (the few added-token rows aside) over {@code rows} final hidden states. */
    Runnable lmHead(int rows) {
        return text.lmHead(rows);
    }
}
