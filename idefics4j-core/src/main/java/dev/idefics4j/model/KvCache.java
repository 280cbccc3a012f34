package dev.idefics4j.model;

import dev.idefics4j.tensor.BFloat16;

import java.lang.reflect.Array;

/**
 * Keys and values of every decoder self-attention layer for each batch row, so a decoding step computes only its
 * new token. A position holds kv_heads·head_dim keys and as many values (with grouped-query attention, fewer heads
 * than the queries have: the query heads of a group read the same history). Each row is stored head-major,
 * [head][position][head_dim]: a decoding step's attention then reads each head's history as one contiguous stream
 * (position-major rows of heads·head_dim read 512 bytes per position, 16 KiB apart for idefics-9b, a new page every
 * few keys, and attention ran about half as fast). Rows can be reordered (beam search) without touching others.
 * <p>
 * The cache holds float32 (the reference's arithmetic, the default) or bfloat16, rounded to nearest even as a
 * bf16 model holds them in PyTorch: half the memory (idefics-9b: 0.5 instead of 1 MiB per position and sequence)
 * and half the bytes a decoding step's attention reads, which with many sequences in a batch is the largest part
 * of the step after the weights.
 */
public final class KvCache {
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final boolean bf16;
    /** [layer][row] -> kv_heads * capacity * head_dim elements: float[] or, for bf16, short[]. */
    private Object[][] keys;
    private Object[][] values;
    private int length;
    private int capacity;

    /**
     * What one sequence's cache holds per position, to size a request before anything is allocated.
     *
     * @param bf16 whether the elements are bfloat16 (2 bytes) rather than float32 (4)
     */
    public record Layout(int layers, int kvHeads, int headDim, boolean bf16) {
        /** Keys and values of every layer for one position of one sequence. */
        public long bytesPerPosition() {
            return 2L * layers * kvHeads * headDim * (bf16 ? Short.BYTES : Float.BYTES);
        }

        /** How {@link #bytesPerPosition} is made up, for messages. */
        public String describe() {
            return layers + " layers x " + kvHeads + " kv heads x " + headDim + " head_dim x 2 (keys, values) x "
                    + (bf16 ? "2 bytes (bfloat16)" : "4 bytes (float32)");
        }
    }

    /** A float32 cache. */
    public KvCache(int layers, int rows, int kvHeads, int headDim, int initialCapacity) {
        this(layers, rows, kvHeads, headDim, initialCapacity, false);
    }

    public KvCache(Layout layout, int rows, int initialCapacity) {
        this(layout.layers(), rows, layout.kvHeads(), layout.headDim(), initialCapacity, layout.bf16());
    }

    public KvCache(int layers, int rows, int kvHeads, int headDim, int initialCapacity, boolean bf16) {
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.bf16 = bf16;
        this.capacity = Math.max(1, initialCapacity);
        keys = new Object[layers][rows];
        values = new Object[layers][rows];
        for (int l = 0; l < layers; l++) {
            for (int r = 0; r < rows; r++) {
                keys[l][r] = newStorage(capacity);
                values[l][r] = newStorage(capacity);
            }
        }
    }

    private Object newStorage(int positions) {
        int size = kvHeads * positions * headDim;
        return bf16 ? new short[size] : new float[size];
    }

    /** Whether keys and values are held as bfloat16 ({@link #keysBf16}) rather than float32 ({@link #keys}). */
    public boolean bf16() {
        return bf16;
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
    private Object grow(Object old, int newCap) {
        Object out = newStorage(newCap);
        for (int h = 0; h < kvHeads; h++) {
            System.arraycopy(old, h * capacity * headDim, out, h * newCap * headDim, capacity * headDim);
        }
        return out;
    }

    /** Stores the key and value of one position (each kv_heads·head_dim, as the projections produce them). */
    void put(int layer, int row, int position, float[] k, int kOffset, float[] v, int vOffset) {
        for (int h = 0; h < kvHeads; h++) {
            int at = (h * capacity + position) * headDim;
            if (bf16) {
                short[] ck = (short[]) keys[layer][row];
                short[] cv = (short[]) values[layer][row];
                for (int d = 0; d < headDim; d++) {
                    ck[at + d] = BFloat16.fromFloat(k[kOffset + h * headDim + d]);
                    cv[at + d] = BFloat16.fromFloat(v[vOffset + h * headDim + d]);
                }
            } else {
                System.arraycopy(k, kOffset + h * headDim, keys[layer][row], at, headDim);
                System.arraycopy(v, vOffset + h * headDim, values[layer][row], at, headDim);
            }
        }
    }

    /** A float32 cache's keys of one layer and row (see {@link #headOffset}). */
    float[] keys(int layer, int row) {
        return (float[]) keys[layer][row];
    }

    float[] values(int layer, int row) {
        return (float[]) values[layer][row];
    }

    /** A bfloat16 cache's keys of one layer and row, as raw bits (see {@link #headOffset}). */
    short[] keysBf16(int layer, int row) {
        return (short[]) keys[layer][row];
    }

    short[] valuesBf16(int layer, int row) {
        return (short[]) values[layer][row];
    }

    /** Where head {@code head}'s position 0 lies in the keys and values; positions are head_dim apart. */
    int headOffset(int head) {
        return head * capacity * headDim;
    }

    /** Counts {@code tokens} more positions as cached in every row (after all layers stored them). */
    public void advance(int tokens) {
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
     * Each row as a cache of its own (same length, same capacity, same element type), so that the rows can go on
     * independently: a prompt prefilled once for several return sequences. The arrays move to the new caches; this
     * one must not be used afterwards.
     */
    public KvCache[] splitRows() {
        KvCache[] out = new KvCache[rows()];
        for (int r = 0; r < out.length; r++) {
            KvCache c = new KvCache(layers, 0, kvHeads, headDim, capacity, bf16);
            c.keys = new Object[layers][1];
            c.values = new Object[layers][1];
            for (int l = 0; l < layers; l++) {
                c.keys[l][0] = keys[l][r];
                c.values[l][0] = values[l][r];
            }
            c.length = length;
            out[r] = c;
        }
        return out;
    }

    private static Object[] pick(Object[] old, int[] sources) {
        Object[] out = new Object[sources.length];
        boolean[] taken = new boolean[old.length];
        for (int i = 0; i < sources.length; i++) {
            int s = sources[i];
            // A row used twice must be copied: the rows are written independently from now on.
            out[i] = taken[s] ? copy(old[s]) : old[s];
            taken[s] = true;
        }
        return out;
    }

    private static Object copy(Object array) {
        int n = Array.getLength(array);
        Object out = Array.newInstance(array.getClass().getComponentType(), n);
        System.arraycopy(array, 0, out, 0, n);
        return out;
    }
}
