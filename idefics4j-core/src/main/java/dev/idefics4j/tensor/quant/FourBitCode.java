package dev.idefics4j.tensor.quant;

/**
 * The two 4-bit data types of bitsandbytes: 16 values in [-1, 1] indexed by the 4-bit code
 * ({@code bitsandbytes.functional.get_4bit_type}, stored as {@code quant_map}), and the decision tree by which its CUDA
 * kernel ({@code kQuantizeBlockwise} with {@code dQuantizeFP4} / {@code dQuantizeNF4} in {@code csrc/kernels.cu})
 * picks the code of a weight divided by its block's absmax. The tree compares against fixed float32 thresholds with
 * a strict {@code >}; a value above k of them (ascending) lands on leaf k. The thresholds are near but not always at
 * the midpoints of neighbouring table values, so a value halfway between two of them does not always go down.
 */
public enum FourBitCode {
    /**
     * bitsandbytes' FP4 (its default and the IDEFICS guide's choice): 1 sign bit, 2 exponent bits, 1 mantissa bit.
     * get_4bit_type("fp4") lists {@code [0, 0.0625, 8, 12, 4, 6, 2, 3, -0, -0.0625, -8, -12, -4, -6, -2, -3]} and
     * divides by 12 in float32; its {@code -0} is Python's integer 0, so code 8 holds +0.0. dQuantizeFP4 sets bit 3
     * for {@code x < 0} and walks the tree with {@code |x|}: a small negative weight takes code 8, zero takes 0.
     */
    FP4("fp4", fp4Table(),
            new float[]{0.00260417f, 0.0859375f, 0.20833333f, 0.29166667f, 0.4166667f, 0.583333f, 0.8333333f},
            new int[]{0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011}, true),
    /**
     * NormalFloat4 (QLoRA): quantiles of N(0, 1) scaled to [-1, 1], the float32 constants of get_4bit_type("nf4")
     * (code 7 is exactly zero, the table is ascending). dQuantizeNF4 compares the signed value; its thresholds are the
     * midpoints of neighbouring values written to 16 digits, which float32 rounds to the float32 midpoint or one float
     * beside it.
     */
    NF4("nf4", new float[]{
            -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
            -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
            0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
            0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f},
            new float[]{
                    -0.8480964004993439f, -0.6106329262256622f, -0.4599952697753906f, -0.33967943489551544f,
                    -0.23460740596055984f, -0.13791173323988914f, -0.045525018125772476f, 0.03979014977812767f,
                    0.1202552504837513f, 0.2035212516784668f, 0.2920137718319893f, 0.3893125355243683f,
                    0.5016634166240692f, 0.6427869200706482f, 0.8614784181118011f},
            new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, false);

    /** FP4's sign bit, set by {@link #encode} for a negative value. */
    static final int SIGN_BIT = 0b1000;

    private final String bnbName;
    private final float[] table;
    private final float[] thresholds;
    private final int[] leaves;
    private final boolean signMagnitude;

    FourBitCode(String bnbName, float[] table, float[] thresholds, int[] leaves, boolean signMagnitude) {
        if (leaves.length != thresholds.length + 1) {
            throw new AssertionError(bnbName + ": " + thresholds.length + " thresholds need "
                    + (thresholds.length + 1) + " leaves");
        }
        this.bnbName = bnbName;
        this.table = table;
        this.thresholds = thresholds;
        this.leaves = leaves;
        this.signMagnitude = signMagnitude;
    }

    private static float[] fp4Table() {
        float[] raw = {0f, 0.0625f, 8f, 12f, 4f, 6f, 2f, 3f, 0f, -0.0625f, -8f, -12f, -4f, -6f, -2f, -3f};
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

    /**
     * The code bitsandbytes' CUDA kernel gives {@code scaled} (a weight times the reciprocal of its block's absmax):
     * the leaf of the decision tree, plus FP4's sign bit when {@code scaled < 0}. NaN (an all-zero block, 0 times
     * the infinite reciprocal) passes no comparison and lands on the leftmost leaf, code 0.
     */
    public int encode(float scaled) {
        float x = scaled;
        int sign = 0;
        if (signMagnitude) {
            sign = x < 0 ? SIGN_BIT : 0;
            x = Math.abs(x);
        }
        int leaf = 0;
        for (float t : thresholds) {
            leaf += x > t ? 1 : 0;
        }
        return leaves[leaf] + sign;
    }

    /** The tree's thresholds, ascending; a copy. */
    float[] thresholds() {
        return thresholds.clone();
    }

    /** The code of each leaf, left to right (leaf k: above exactly k thresholds); a copy. */
    int[] leaves() {
        return leaves.clone();
    }

    /** Whether the tree compares |x| and puts the sign in {@link #SIGN_BIT} (FP4) rather than comparing x (NF4). */
    boolean signMagnitude() {
        return signMagnitude;
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
