package dev.idefics4j.model;

import dev.idefics4j.tensor.BFloat16;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The head-major layout: what a position stores is found at each head's offset, before and after growing,
 * reordering and splitting, in a float32 cache and (rounded to nearest even) in a bfloat16 one.
 */
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
                    float key = element(sourceRow, p, h, d);
                    if (cache.bf16()) {
                        // 1000·r + 100·p + ... needs more than bf16's 8 significant bits: rounding shows.
                        assertEquals(BFloat16.fromFloat(key), cache.keysBf16(0, cacheRow)[at], "key p" + p + " h" + h);
                        assertEquals(BFloat16.fromFloat(-key), cache.valuesBf16(0, cacheRow)[at],
                                "value p" + p + " h" + h);
                    } else {
                        assertEquals(key, cache.keys(0, cacheRow)[at], "key p" + p + " h" + h);
                        assertEquals(-key, cache.values(0, cacheRow)[at], "value p" + p + " h" + h);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "bf16={0}")
    @ValueSource(booleans = {false, true})
    void positionsSurviveGrowingAndReordering(boolean bf16) {
        KvCache cache = new KvCache(1, 2, HEADS, DIM, 2, bf16);
        assertEquals(bf16, cache.bf16());
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
        cache.put(0, 1, 4, new float[HEADS * DIM], 0, new float[HEADS * DIM], 0);
        assertHolds(cache, 0, 1, 5); // the row used twice was copied before one of its uses was written
        KvCache[] split = cache.splitRows();
        split[0].ensureCapacity(40);
        assertHolds(split[0], 0, 1, 5);
        assertEquals(5, split[0].length());
        assertEquals(bf16, split[0].bf16());
    }
}
