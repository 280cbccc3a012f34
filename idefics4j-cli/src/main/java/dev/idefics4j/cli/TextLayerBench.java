package dev.idefics4j.cli;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.DecoderBatch;
import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.LlamaConfig;
import dev.idefics4j.model.LlamaDecoderLayer;
import dev.idefics4j.model.RotaryEmbedding;
import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.Weight;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The text side's single layers of any family's LLaMA-style decoder on synthetic inputs: decoder layer 0 and the lm
 * head, each a {@link Runnable} that repeats the same work on every call, built afresh from the model's checkpoint
 * (in the format it was loaded in).
 */
final class TextLayerBench {
    private final LlamaConfig text;
    private final Checkpoint ckpt;
    private final String layerPrefix;
    private final String headName;
    private final boolean bf16KvCache;
    private final SplittableRandom random;

    /**
     * @param layerPrefix decoder layer 0's weight prefix ({@code "model.layers.0."} for IDEFICS v1)
     * @param headName    the lm head's matrix ({@code lm_head.weight}, or the embedding when they are tied)
     */
    TextLayerBench(LlamaConfig text, Checkpoint ckpt, String layerPrefix, String headName, boolean bf16KvCache,
                   SplittableRandom random) {
        this.text = text;
        this.ckpt = ckpt;
        this.layerPrefix = layerPrefix;
        this.headName = headName;
        this.bf16KvCache = bf16KvCache;
        this.random = random;
    }

    static float[] randomStates(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /** Decoder layer 0 over {@code tokens} new tokens after {@code past} cached ones (decode: 1 after 512). */
    Runnable decoderLayer(int tokens, int past) {
        LlamaDecoderLayer layer = new LlamaDecoderLayer(text, ckpt, layerPrefix, 0, RotaryEmbedding.of(text));
        float[] input = randomStates(random, tokens * text.hiddenSize());
        KvCache cache = new KvCache(1, 1, text.numKeyValueHeads(), text.headDim(), past + tokens, bf16KvCache);
        cache.advance(past);
        int[][] positions = new int[1][tokens];
        for (int t = 0; t < tokens; t++) {
            positions[0][t] = past + t;
        }
        boolean[][] valid = new boolean[1][past + tokens];
        Arrays.fill(valid[0], true);
        DecoderBatch batch = new DecoderBatch(tokens, new KvCache[]{cache}, new int[1], positions, valid);
        float[] h = new float[input.length];
        return () -> {
            System.arraycopy(input, 0, h, 0, h.length);
            layer.forward(h, batch);
        };
    }

    /** The lm head's {@code vocab_size} rows over {@code rows} final hidden states. */
    Runnable lmHead(int rows) {
        int hidden = text.hiddenSize();
        Weight head = ckpt.weight(headName, text.vocabSize(), hidden);
        float[] input = randomStates(random, rows * hidden);
        float[] out = new float[rows * text.vocabSize()];
        return () -> Kernels.matmul(input, rows, head, out);
    }
}
