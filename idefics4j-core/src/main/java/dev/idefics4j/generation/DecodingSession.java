package dev.idefics4j.generation;

import dev.idefics4j.model.IdeficsModel;
import dev.idefics4j.model.ImageContext;
import dev.idefics4j.model.KvCache;

import java.util.Arrays;
import java.util.List;

/**
 * The model side of a decoding run: images encoded once, each distinct prompt prefilled once, and then one new
 * token per row and step against the KV cache. Every new token attends to the image(s) of its row's last prompt
 * token, as the reference's IDEFICS {@code _update_model_kwargs_for_generation} does.
 */
final class DecodingSession {
    private final IdeficsModel model;
    private ImageContext images;
    private final KvCache cache;
    private int[][] attentionMask;
    private int[][] lastImageMask;
    private final int vocab;

    private DecodingSession(IdeficsModel model, ImageContext images, KvCache cache, int[][] attentionMask,
                            int[][] lastImageMask) {
        this.model = model;
        this.images = images;
        this.cache = cache;
        this.attentionMask = attentionMask;
        this.lastImageMask = lastImageMask;
        this.vocab = model.vocabSize();
    }

    /**
     * A session right after its prefill: the last prompt position's logits [rows, vocab] and the decoding rows'
     * token sequences, with room up to {@code capacity}.
     */
    record Prefilled(DecodingSession session, float[] logits, Sequences sequences) {
    }

    /**
     * Encodes the images and prefills every prompt once, then expands to {@code copies} decoding rows per prompt,
     * prompt by prompt as the reference's repeat_interleave (beams and return sequences share their prompt's
     * prefill).
     */
    static Prefilled prefill(IdeficsModel model, GenerationInputs in, int copies, int capacity) {
        int prompts = in.rows();
        int length = in.length();
        int[] sources = new int[prompts * copies];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = i / copies;
        }
        ImageContext images;
        int[][][] imageMask;
        if (in.attendsToImages()) {
            int[] used = new int[prompts];
            for (int b = 0; b < prompts; b++) {
                used[b] = in.imagesUsed(b); // trailing batch-padding images are never encoded
            }
            images = model.encodeImages(in.pixelValues(), prompts, in.maxImages(), used, null);
            imageMask = in.imageAttentionMask();
        } else {
            // No token attends to an image: the gate silences cross-attention, so the vision tower need not run.
            images = model.noImages(prompts);
            imageMask = new int[prompts][length][1];
        }
        KvCache cache = model.newCache(prompts, capacity);
        float[] logits = model.forward(in.inputIds(), in.attentionMask(), imageMask, images, cache, false, null);

        int vocab = model.vocabSize();
        int rows = sources.length;
        float[] expanded = new float[rows * vocab];
        int[][] mask = new int[rows][];
        int[][] last = new int[rows][];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(logits, sources[i] * vocab, expanded, i * vocab, vocab);
            mask[i] = in.attentionMask()[sources[i]].clone();
            last[i] = imageMask[sources[i]][length - 1].clone();
        }
        if (!isIdentity(sources, prompts)) {
            cache.reorder(sources);
            images = images.select(sources);
        }
        return new Prefilled(new DecodingSession(model, images, cache, mask, last), expanded,
                new Sequences(in.inputIds(), sources, capacity));
    }

    int vocab() {
        return vocab;
    }

    int rows() {
        return attentionMask.length;
    }

    /** Runs one new token per row; returns the logits [rows, vocab]. */
    float[] step(int[] tokens) {
        int rows = tokens.length;
        int[][] ids = new int[rows][];
        int[][][] imageMask = new int[rows][1][];
        for (int i = 0; i < rows; i++) {
            ids[i] = new int[]{tokens[i]};
            int[] m = Arrays.copyOf(attentionMask[i], attentionMask[i].length + 1);
            m[m.length - 1] = 1;
            attentionMask[i] = m;
            imageMask[i][0] = lastImageMask[i];
        }
        return model.forward(ids, attentionMask, imageMask, images, cache, false, null);
    }

    /**
     * Each row as a one-row session of its own (its cache rows move there; this session is not used afterwards), so
     * that rows can be decoded independently and batched with other requests' rows.
     */
    List<DecodingSession> split() {
        KvCache[] caches = cache.splitRows();
        List<DecodingSession> out = new java.util.ArrayList<>(caches.length);
        for (int i = 0; i < caches.length; i++) {
            out.add(new DecodingSession(model, images.select(new int[]{i}), caches[i],
                    new int[][]{attentionMask[i]}, new int[][]{lastImageMask[i]}));
        }
        return out;
    }

    /**
     * One new token for each of several one-row sessions (of any lengths) in one model call; returns the logits
     * [sessions, vocab], each row equal to what {@link #step} of that session alone returns.
     */
    static float[] stepSequences(List<DecodingSession> sessions, int[] tokens) {
        int n = sessions.size();
        KvCache[] caches = new KvCache[n];
        ImageContext[] images = new ImageContext[n];
        int[][] masks = new int[n][];
        int[][] imageMasks = new int[n][];
        for (int i = 0; i < n; i++) {
            DecodingSession s = sessions.get(i);
            if (s.rows() != 1) {
                throw new IllegalArgumentException("stepSequences takes one-row sessions; split the others");
            }
            int[] m = Arrays.copyOf(s.attentionMask[0], s.attentionMask[0].length + 1);
            m[m.length - 1] = 1;
            s.attentionMask[0] = m;
            caches[i] = s.cache;
            images[i] = s.images;
            masks[i] = m;
            imageMasks[i] = s.lastImageMask[0];
        }
        return sessions.getFirst().model.forwardSequences(tokens, caches, images, masks, imageMasks);
    }

    /**
     * Runs several continuations of this one-row session's prompt as one batch: the row (KV cache included) is
     * copied per continuation, which then feeds all but its last token, right-padded with masked tokens to
     * {@code width}. Returns the logits of every position, [continuations, width, vocab].
     */
    float[] forwardContinuations(List<int[]> continuations, int width) {
        int n = continuations.size();
        reorder(new int[n]);
        int[][] ids = new int[n][width];
        int[][] mask = new int[n][];
        int[][][] imageMask = new int[n][width][];
        for (int i = 0; i < n; i++) {
            int[] c = continuations.get(i);
            int past = attentionMask[i].length;
            mask[i] = Arrays.copyOf(attentionMask[i], past + width);
            for (int j = 0; j < width; j++) {
                boolean real = j < c.length - 1;
                ids[i][j] = real ? c[j] : 0;
                mask[i][past + j] = real ? 1 : 0;
                imageMask[i][j] = lastImageMask[i];
            }
        }
        attentionMask = mask;
        return model.forward(ids, mask, imageMask, images, cache, true, null);
    }

    /** Row i continues old row {@code sources[i]} (beam search); KV cache, masks and images follow. */
    void reorder(int[] sources) {
        if (isIdentity(sources, attentionMask.length)) {
            return;
        }
        cache.reorder(sources);
        images = images.select(sources);
        int[][] mask = new int[sources.length][];
        int[][] last = new int[sources.length][];
        for (int i = 0; i < sources.length; i++) {
            mask[i] = attentionMask[sources[i]];
            last[i] = lastImageMask[sources[i]];
        }
        attentionMask = mask;
        lastImageMask = last;
    }

    private static boolean isIdentity(int[] sources, int rows) {
        if (sources.length != rows) {
            return false;
        }
        for (int i = 0; i < sources.length; i++) {
            if (sources[i] != i) {
                return false;
            }
        }
        return true;
    }
}
