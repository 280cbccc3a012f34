package dev.idefics4j.tensor.quant;

/**
 * The two 4-bit data types of bitsandbytes, as {@code bitsandbytes.functional.get_4bit_type} builds them: 16 values
 * in [-1, 1], indexed by the 4-bit code. A block of weights is divided by its absmax and each value takes the code of
 * the nearest table entry ({@code quantize_4bit}: {@code argmin(|scaled - code|)}, so ties go to the lower index).
 */
public enum FourBitCode {
    /**
     * bitsandbytes' FP4 (its default and the IDEFICS guide's choice): 1 sign bit, 2 exponent bits, 1 mantissa bit.
     * get_4bit_type("fp4") lists {@code [0, 0.0625, 8, 12, 4, 6, 2, 3, -0, -0.0625, -8, -12, -4, -6, -2, -3]} and
     * divides by the largest magnitude (12) in float32; bit 3 is the sign.
     */
    FP4("fp4", fp4Table()),
    /**
     * NormalFloat4 (QLoRA): quantiles of N(0, 1) scaled to [-1, 1], the float32 constants of get_4bit_type("nf4")
     * (code 7 is exactly zero, the table is ascending).
     */
    NF4("nf4", new float[]{
            -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
            -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
            0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
            0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f});

    private final String bnbName;
    private final float[] table;
    /** Distinct table values ascending, with the lowest code holding each (FP4 has +0 and -0). */
    private final float[] sortedValues;
    private final int[] sortedCodes;

    FourBitCode(String bnbName, float[] table) {
        this.bnbName = bnbName;
        this.table = table;
        Integer[] order = new Integer[16];
        for (int i = 0; i < 16; i++) {
            order[i] = i;
        }
        // By value, equal values (+0 and -0 compare equal here) by code.
        java.util.Arrays.sort(order, (a, b) -> table[a] != table[b] ? Float.compare(table[a], table[b])
                : Integer.compare(a, b));
        float[] values = new float[16];
        int[] codes = new int[16];
        int n = 0;
        for (int i : order) {
            if (n == 0 || table[i] != values[n - 1]) {
                values[n] = table[i];
                codes[n++] = i;
            }
        }
        this.sortedValues = java.util.Arrays.copyOf(values, n);
        this.sortedCodes = java.util.Arrays.copyOf(codes, n);
    }

    private static float[] fp4Table() {
        float[] raw = {0f, 0.0625f, 8f, 12f, 4f, 6f, 2f, 3f, -0f, -0.0625f, -8f, -12f, -4f, -6f, -2f, -3f};
        float[] t = new float[16];
        for (int i = 0; i < 16; i++) {
            t[i] = raw[i] / 12f;
        }
        return t;
    }

    /** bitsandbytes' name: {@code "fp4"} or {@code "nf4"} (bnb_4bit_quant_type). */
    public String bnbName() {
        return bnbName;
    }

    /** The 16 values; a copy. */
    public float[] table() {
        return table.clone();
    }

    float value(int code) {
        return table[code];
    }

    /**
     * The code of the table value nearest to {@code scaled}, exactly as {@code argmin(|scaled - table|)} in float32
     * picks it (ties: lower code). The nearest value is one of the two sorted neighbours of {@code scaled}; counting
     * the values at or below it finds them without branches (a binary search mispredicts on every level).
     */
    public int nearest(float scaled) {
        float[] v = sortedValues;
        int below = -1;
        for (int i = 0; i < v.length - 1; i++) {
            below += scaled >= v[i] ? 1 : 0;
        }
        int lo = Math.max(below, 0);
        float dLo = Math.abs(scaled - v[lo]);
        float dHi = Math.abs(scaled - v[lo + 1]);
        int cLo = sortedCodes[lo];
        int cHi = sortedCodes[lo + 1];
        return dHi < dLo ? cHi : dLo < dHi ? cLo : Math.min(cLo, cHi);
    }

    /** How many distinct values the table has (15 for FP4, whose +0 and -0 are one value). */
    int distinctValues() {
        return sortedValues.length;
    }

    /** The distinct values ascending, padded to 16 (for a vector lookup). */
    float[] sortedValues16() {
        return java.util.Arrays.copyOf(sortedValues, 16);
    }

    /** The code of each of {@link #sortedValues16()}. */
    int[] sortedCodes16() {
        return java.util.Arrays.copyOf(sortedCodes, 16);
    }

    /** The code of 0.0, used for an all-zero block and to pad an odd element count. */
    int zeroCode() {
        return nearest(0f);
    }

    public static FourBitCode fromBnbName(String name) {
        for (FourBitCode c : values()) {
            if (c.bnbName.equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown 4-bit quant type '" + name + "' (expected fp4 or nf4)");
    }
}
