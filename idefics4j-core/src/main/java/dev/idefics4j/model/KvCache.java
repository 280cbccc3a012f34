package dev.idefics4j.model;

import java.util.Arrays;

/**
 * Keys and values of every decoder self-attention layer for each batch row, [position, heads·head_dim] per row,
 * so a decoding step computes only its new token. Rows can be reordered (beam search) without touching others.
 */
public final class KvCache {
    private final int layers;
    private final int width;
    private float[][][] keys;   // [layer][row] -> capacity * width
    private float[][][] values;
    private int length;
    private int capacity;

    public KvCache(int layers, int rows, int width, int initialCapacity) {
        this.layers = layers;
        this.width = width;
        this.capacity = Math.max(1, initialCapacity);
        keys = new float[layers][rows][capacity * width];
        values = new float[layers][rows][capacity * width];
    }

    /** Positions already cached (the same for every row: a batch is padded to one length). */
    public int length() {
        return length;
    }

    public int rows() {
        return keys[0].length;
    }

    void ensureCapacity(int needed) {
        if (needed <= capacity) {
            return;
        }
        int newCap = Math.max(needed, capacity * 2);
        for (int l = 0; l < layers; l++) {
            for (int r = 0; r < keys[l].length; r++) {
                keys[l][r] = Arrays.copyOf(keys[l][r], newCap * width);
                values[l][r] = Arrays.copyOf(values[l][r], newCap * width);
            }
        }
        capacity = newCap;
    }

    float[] keys(int layer, int row) {
        return keys[layer][row];
    }

    float[] values(int layer, int row) {
        return values[layer][row];
    }

    void advance(int tokens) {
        length += tokens;
    }

    /** Row i of the cache becomes old row {@code sources[i]} (beam search keeps the surviving beams' histories). */
    public void reorder(int[] sources) {
        for (int l = 0; l < layers; l++) {
            keys[l] = pick(keys[l], sources);
            values[l] = pick(values[l], sources);
        }
    }

    /**
     * Each row as a cache of its own (same length, same capacity), so that the rows can go on independently: a
     * prompt prefilled once for several return sequences. The arrays move to the new caches; this one must not be
     * used afterwards.
     */
    public KvCache[] splitRows() {
        KvCache[] out = new KvCache[rows()];
        for (int r = 0; r < out.length; r++) {
            KvCache c = new KvCache(layers, 0, width, capacity);
            c.keys = new float[layers][1][];
            c.values = new float[layers][1][];
            for (int l = 0; l < layers; l++) {
                c.keys[l][0] = keys[l][r];
                c.values[l][0] = values[l][r];
            }
            c.length = length;
            out[r] = c;
        }
        return out;
    }

    private static float[][] pick(float[][] old, int[] sources) {
        float[][] out = new float[sources.length][];
        boolean[] taken = new boolean[old.length];
        for (int i = 0; i < sources.length; i++) {
            int s = sources[i];
            // A row used twice must be copied: the rows are written independently from now on.
            out[i] = taken[s] ? old[s].clone() : old[s];
            taken[s] = true;
        }
        return out;
    }
}
