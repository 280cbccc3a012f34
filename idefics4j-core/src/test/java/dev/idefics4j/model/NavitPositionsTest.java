package dev.idefics4j.model;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NaViT position ids against values PyTorch 1.13.1 (Debian's build, the reference environment) computed with the
 * reference's code: the tiny fixtures' grids never bring a fraction onto a boundary, these do.
 */
class NavitPositionsTest {
    /** idefics2-8b's grid (980 / 14): 49 and 58 patches meet boundaries where float rounding decides the bucket. */
    @Test
    void bucketsMatchTorchWhereRoundingDecides() {
        NavitPositions grid = new NavitPositions(70);
        assertArrayEquals(new int[]{0, 1, 2, 4, 5, 7, 8, 9, 11, 12, 14, 15, 17, 18, 19, 21, 22, 24, 25, 27, 28, 30, 31,
                32, 34, 35, 37, 38, 40, 41, 42, 44, 45, 47, 48, 49, 51, 52, 54, 55, 57, 58, 59, 61, 62, 64, 65, 67, 68},
                firstRow(grid, 49));
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 24, 25, 26,
                27, 28, 30, 31, 32, 33, 34, 36, 37, 38, 39, 41, 42, 43, 44, 45, 47, 48, 49, 50, 51, 53, 54, 55, 56, 57,
                59, 60, 61, 62, 63, 65, 66, 67, 68}, firstRow(grid, 58));
    }

    @Test
    void fullGridIsTheIdentity() {
        for (int side : new int[]{6, 8, 12, 26, 32, 70}) {
            int[] row = firstRow(new NavitPositions(side), side);
            for (int i = 0; i < side; i++) {
                assertTrue(row[i] == i, "grid " + side + " column " + i + " got " + row[i]);
            }
        }
    }

    /** A 3x5 image padded to 5x8 patches on a grid of 8 (torch: the reference code on this mask). */
    @Test
    void paddedPatchesKeepIdZero() {
        boolean[] mask = new boolean[5 * 8];
        for (int r = 0; r < 3; r++) {
            Arrays.fill(mask, r * 8, r * 8 + 5, true);
        }
        int[] expected = {
                0, 1, 3, 4, 6, 0, 0, 0,
                16, 17, 19, 20, 22, 0, 0, 0,
                40, 41, 43, 44, 46, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0};
        assertArrayEquals(expected, new NavitPositions(8).ids(mask, 0, 5, 8));
    }

    @Test
    void validPatchesMustFormTheBlockTheFirstRowAndColumnImply() {
        boolean[] mask = new boolean[4 * 4];
        Arrays.fill(mask, true);
        mask[15] = false;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NavitPositions(4).ids(mask, 0, 4, 4));
        assertTrue(e.getMessage().contains("15 valid patches, not the 4x4 block"), e.getMessage());
        boolean[] none = new boolean[4];
        assertThrows(IllegalArgumentException.class, () -> new NavitPositions(4).ids(none, 0, 2, 2));
    }

    /** The column buckets of an image {@code valid} patches wide and one patch high. */
    private static int[] firstRow(NavitPositions grid, int valid) {
        boolean[] mask = new boolean[valid];
        Arrays.fill(mask, true);
        return grid.ids(mask, 0, 1, valid);
    }
}
