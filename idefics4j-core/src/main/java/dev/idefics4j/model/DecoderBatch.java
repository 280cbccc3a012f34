package dev.idefics4j.model;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The rows of one decoder pass and the histories they continue: row {@code b}'s {@code tokens} new tokens follow
 * the positions cached in row {@code cacheRow(b)} of {@code cache(b)}. One batch cache for all rows (a prompt batch,
 * beams) and one one-row cache per row (independent sequences decoded together) are the same pass.
 */
public final class DecoderBatch {
    private final int tokens;
    private final KvCache[] caches;
    private final int[] cacheRows;
    private final int[][] positions;
    private final boolean[][] keyValid;

    /**
     * @param positions [rows][tokens] rotary positions of the new tokens
     * @param keyValid  [rows][cached + tokens] the attention mask as booleans
     */
    public DecoderBatch(int tokens, KvCache[] caches, int[] cacheRows, int[][] positions, boolean[][] keyValid) {
        int rows = caches.length;
        if (tokens < 1 || cacheRows.length != rows || positions.length != rows || keyValid.length != rows) {
            throw new IllegalArgumentException("a decoder batch needs at least one token and, per row, a cache row, "
                    + "positions and a mask; got " + tokens + " tokens, " + rows + " caches, " + cacheRows.length
                    + " cache rows, " + positions.length + " position rows, " + keyValid.length + " masks");
        }
        for (int b = 0; b < rows; b++) {
            int past = caches[b].length();
            if (positions[b].length != tokens || keyValid[b].length != past + tokens) {
                throw new IllegalArgumentException("row " + b + " has " + positions[b].length + " positions and a "
                        + "mask of " + keyValid[b].length + "; expected " + tokens + " and cached " + past + " + new "
                        + tokens);
            }
        }
        this.tokens = tokens;
        this.caches = caches;
        this.cacheRows = cacheRows;
        this.positions = positions;
        this.keyValid = keyValid;
    }

    /**
     * Every row of {@code cache} takes {@code tokens} new tokens; positions count the real tokens before each
     * ({@code cumsum(attention_mask) - 1}, 1 for padding), as generation computes them.
     *
     * @param attentionMask [rows][cached + tokens] 1 for real tokens, 0 for padding
     */
    public static DecoderBatch of(KvCache cache, int[][] attentionMask, int tokens) {
        int rows = attentionMask.length;
        KvCache[] caches = new KvCache[rows];
        int[] cacheRows = new int[rows];
        for (int b = 0; b < rows; b++) {
            caches[b] = cache;
            cacheRows[b] = b;
        }
        return masked(tokens, caches, cacheRows, attentionMask);
    }

    /** One new token for each of several sequences, each with its own one-row cache (of any length). */
    public static DecoderBatch ofSequences(KvCache[] caches, int[][] attentionMasks) {
        return masked(1, caches, new int[caches.length], attentionMasks);
    }

    private static DecoderBatch masked(int tokens, KvCache[] caches, int[] cacheRows, int[][] attentionMask) {
        int rows = caches.length;
        int[][] positions = new int[rows][tokens];
        boolean[][] valid = new boolean[rows][];
        for (int b = 0; b < rows; b++) {
            int past = caches[b].length();
            if (attentionMask[b].length != past + tokens) {
                throw new IllegalArgumentException("attention_mask row " + b + " has " + attentionMask[b].length
                        + " entries; expected cached " + past + " + new " + tokens);
            }
            valid[b] = new boolean[past + tokens];
            int cum = 0;
            for (int j = 0; j < past + tokens; j++) {
                valid[b][j] = attentionMask[b][j] != 0;
                cum += valid[b][j] ? 1 : 0;
                if (j >= past) {
                    positions[b][j - past] = valid[b][j] ? cum - 1 : 1;
                }
            }
        }
        return new DecoderBatch(tokens, caches, cacheRows, positions, valid);
    }

    public int rows() {
        return caches.length;
    }

    /** New tokens per row. */
    public int tokens() {
        return tokens;
    }

    KvCache cache(int row) {
        return caches[row];
    }

    int cacheRow(int row) {
        return cacheRows[row];
    }

    /** Positions row {@code row} has cached. */
    int past(int row) {
        return caches[row].length();
    }

    /** Rotary positions of the new tokens, [rows][tokens]. */
    public int[][] positions() {
        return positions;
    }

    boolean[] keyValid(int row) {
        return keyValid[row];
    }

    /** Counts the new tokens as cached, once per cache. */
    void advance() {
        Set<KvCache> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (KvCache cache : caches) {
            if (done.add(cache)) {
                cache.advance(tokens);
            }
        }
    }
}
