package dev.idefics4j.model;

/**
 * Keys and values of every decoder self-attention layer for each batch row, so a decoding step computes only its
 * new token. Each row is stored head-major, [head][position][head_dim]: a decoding step's attention then reads
 * each head's history as one contiguous stream (position-major rows of heads·head_dim read 512 bytes per position,
 * 16 KiB apart for idefics-9b, a new page every few keys, and attention ran about half as fast). Rows can be
 * reordered (beam search) without touching others.
 */
public final class KvCache {
    private final int layers;
    private final int heads;
    private final int headDim;
    private float[][][] keys;   // [layer][row] -> heads * capacity * headDim
    private float[][][] values;
    private int length;
    private int capacity;

    public KvCache(int layers, int rows, int heads, int headDim, int initialCapacity) {
        this.layers = layers;
        this.heads = heads;
        this.headDim = headDim;
        this.capacity = Math.max(1, initialCapacity);
        int size = heads * capacity * headDim;
        keys = new float[layers][rows][size];
        values = new float[layers][rows][size];
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
                keys[l][r] = grow(keys[l][r], newCap);
                values[l][r] = grow(values[l][r], newCap);
            }
        }
        capacity = newCap;
    }

    /** Each head's block moves to its place in the larger layout. */
    private float[] grow(float[] old, int newCap) {
        float[] out = new float[heads * newCap * headDim];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(old, h * capacity * headDim, out, h * newCap * headDim, capacity * headDim);
        }
        return out;
    }

    /** Stores the key and value of one position (each heads·head_dim, as the projections produce them). */
    void put(int layer, int row, int position, float[] k, int kOffset, float[] v, int vOffset) {
        float[] ck = keys[layer][row];
        float[] cv = values[layer][row];
        for (int h = 0; h < heads; h++) {
            int at = (h * capacity + position) * headDim;
            System.arraycopy(k, kOffset + h * headDim, ck, at, headDim);
            System.arraycopy(v, vOffset + h * headDim, cv, at, headDim);
        }
    }

    float[] keys(int layer, int row) {
        return keys[layer][row];
    }

    float[] values(int layer, int row) {
        return values[layer][row];
    }

    /** Where head {@code head}'s position 0 lies in {@link #keys} and {@link #values}; positions are head_dim apart. */
    int headOffset(int head) {
        return head * capacity * headDim;
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
            KvCache c = new KvCache(layers, 0, heads, headDim, capacity);
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
