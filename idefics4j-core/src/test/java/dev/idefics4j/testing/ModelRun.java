package dev.idefics4j.testing;

import dev.idefics4j.model.KvCache;
import dev.idefics4j.model.idefics.IdeficsModel;
import dev.idefics4j.model.idefics.ImageContext;

import java.util.Arrays;

/** Runs a model on reference processor inputs: last-position logits, and a plain greedy continuation. */
public final class ModelRun {
    private ModelRun() {
    }

    /** Logits of the last position of every row, [rows, vocab]. */
    public static float[] lastLogits(IdeficsModel model, ProcessorInputs in) {
        KvCache cache = model.newCache(in.rows(), in.tokens());
        return model.forward(in.inputIds(), in.attentionMask(), in.imageAttentionMask(), images(model, in), cache,
                false, null);
    }

    private static ImageContext images(IdeficsModel model, ProcessorInputs in) {
        return in.numImages() == 0 ? model.noImages(in.rows())
                : model.encodeImages(in.pixelValues(), in.rows(), in.numImages(), null, null);
    }

    /** Logits after the prompt ([rows, vocab]) and the argmax token at each of {@code steps} decoding steps. */
    public record Decoded(float[] firstLogits, int[][] argmax) {
    }

    /**
     * Decodes {@code steps} tokens per row: greedily, or teacher-forced with {@code forced} [rows][steps] (the
     * argmax is recorded either way). Each new token attends to the images the prompt's last token attends to, as
     * transformers' IDEFICS generation extends {@code image_attention_mask}.
     */
    public static Decoded decode(IdeficsModel model, ProcessorInputs in, int steps, int[][] forced) {
        int rows = in.rows();
        int vocab = model.vocabSize();
        KvCache cache = model.newCache(rows, in.tokens() + steps);
        ImageContext images = images(model, in);
        int[][] mask = in.attentionMask().clone();
        int[][][] imageMask = in.imageAttentionMask();
        float[] logits = model.forward(in.inputIds(), mask, imageMask, images, cache, false, null);
        float[] first = logits;
        int[][] out = new int[rows][steps];
        for (int s = 0; s < steps; s++) {
            int[][] next = new int[rows][1];
            int[][][] nextImageMask = new int[rows][1][];
            for (int b = 0; b < rows; b++) {
                out[b][s] = argmax(logits, b * vocab, vocab);
                next[b][0] = forced == null ? out[b][s] : forced[b][s];
                mask[b] = Arrays.copyOf(mask[b], mask[b].length + 1);
                mask[b][mask[b].length - 1] = 1;
                nextImageMask[b][0] = imageMask[b][imageMask[b].length - 1].clone();
            }
            imageMask = nextImageMask;
            if (s + 1 < steps) {
                logits = model.forward(next, mask, imageMask, images, cache, false, null);
            }
        }
        return new Decoded(first, out);
    }

    public static int argmax(float[] v, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[offset + i] > v[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
