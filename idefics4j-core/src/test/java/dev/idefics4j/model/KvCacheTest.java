package dev.idefics4j.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The head-major layout: what a position stores is found at each head's offset, before and after growing. */
class KvCacheTest {
    private static final int HEADS = 3;
    private static final int DIM = 4;

    /** Key element d of head h at position p of row r (values: the negative). */
    private static float element(int r, int p, int h, int d) {
        return 1000 * r + 100 * p + 10 * h + d + 1;
    }

    private static void put(KvCache cache, int row, int position) {
        float[] k = new float[HEADS * DIM + 2];
        float[] v = new float[k.length];
        for (int h = 0; h < HEADS; h++) {
            for (int d = 0; d < DIM; d++) {
                k[2 + h * DIM + d] = element(row, position, h, d);
                v[2 + h * DIM + d] = -element(row, position, h, d);
            }
        }
        cache.put(0, row, position, k, 2, v, 2);
    }

    private static void assertHolds(KvCache cache, int cacheRow, int sourceRow, int positions) {
        for (int p = 0; p < positions; p++) {
            for (int h = 0; h < HEADS; h++) {
                for (int d = 0; d < DIM; d++) {
                    int at = cache.headOffset(h) + p * DIM + d;
                    assertEquals(element(sourceRow, p, h, d), cache.keys(0, cacheRow)[at], "key p" + p + " h" + h);
                    assertEquals(-element(sourceRow, p, h, d), cache.values(0, cacheRow)[at], "value p" + p + " h" + h);
                }
            }
        }
    }

    @Test
    void positionsSurviveGrowingAndReordering() {
        KvCache cache = new KvCache(1, 2, HEADS, DIM, 2);
        for (int p = 0; p < 2; p++) {
            put(cache, 0, p);
            put(cache, 1, p);
            cache.advance(1);
        }
        cache.ensureCapacity(5);
        for (int p = 2; p < 5; p++) {
            put(cache, 0, p);
            put(cache, 1, p);
            cache.advance(1);
        }
        assertEquals(5, cache.length());
        assertHolds(cache, 0, 0, 5);
        assertHolds(cache, 1, 1, 5);
        cache.reorder(new int[]{1, 1});
        assertHolds(cache, 0, 1, 5);
        assertHolds(cache, 1, 1, 5);
        KvCache[] split = cache.splitRows();
        split[0].ensureCapacity(40);
        assertHolds(split[0], 0, 1, 5);
        assertEquals(5, split[0].length());
    }
}
