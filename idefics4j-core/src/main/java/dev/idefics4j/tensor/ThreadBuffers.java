package dev.idefics4j.tensor;

/**
 * Per-thread scratch arrays that kernels reuse from call to call instead of allocating: a vision tower makes
 * thousands of small products (attention per head and query block), whose fresh arrays came to several hundred MB
 * of garbage per image. Each slot holds one array per thread, grown on demand; requests above
 * {@link #MAX_CACHED} floats get a fresh array, so a long prompt's buffers are not kept alive. Callers must not
 * hold a slot's array across another call that uses the same slot on the same thread; contents are unspecified.
 */
final class ThreadBuffers {
    static final int GEMM_ACTIVATIONS = 0;
    static final int ATTENTION_SCORES = 1;
    /** One panel of a quantized weight decoded into floats ({@link Bf16Dot}). */
    static final int DECODED_ROWS = 2;
    /** The decoded block scales of a few rows of a 4-bit weight ({@link NativeDecoding}). */
    static final int FOUR_BIT_SCALES = 3;
    /** A head's bfloat16 keys and values widened for attention over many queries ({@link Attention}). */
    static final int WIDENED_KEYS = 4;
    static final int WIDENED_VALUES = 5;
    private static final int SLOTS = 6;
    /** 4 MiB per slot and thread at most. */
    static final int MAX_CACHED = 1 << 20;
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[SLOTS][0]);

    private ThreadBuffers() {
    }

    /** An array of at least {@code size} floats for {@code slot} on this thread. */
    static float[] floats(int slot, int size) {
        if (size > MAX_CACHED) {
            return new float[size];
        }
        float[][] mine = BUFFERS.get();
        if (mine[slot].length < size) {
            mine[slot] = new float[size];
        }
        return mine[slot];
    }
}
