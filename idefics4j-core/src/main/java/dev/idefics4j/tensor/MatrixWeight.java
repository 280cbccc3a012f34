package dev.idefics4j.tensor;

/**
 * A linear layer's weight [rows = out features, cols = in features] in whatever format it is kept: the stored dtype
 * ({@link Weight}) or a quantized form. Model code only multiplies by it; the format picks the kernel.
 */
public interface MatrixWeight {
    String name();

    int rows();

    int cols();

    /** {@code out[t][r] = sum_k x[t][k] * W[r][k]} for {@code n} rows of {@code x}. */
    void matmul(float[] x, int n, float[] out);

    /** Bytes this weight occupies (mapped or in memory). */
    long byteSize();

    /**
     * Decodes rows of this weight into floats ({@code W[r][k0 .. k0 + kc)}), for kernels that need them in another
     * form (panels, bf16). Every built-in format has one.
     */
    default PanelSource.RowDecoder rowDecoder() {
        throw new UnsupportedOperationException(name() + ": " + getClass().getSimpleName()
                + " does not decode its rows");
    }

    /**
     * True when this weight's products of many tokens round the activations to bf16 and take the CPU's bf16
     * dot-product instruction (the {@code bf16-dot} format): the layer's other products (attention) may do the same.
     */
    default boolean bf16DotProducts() {
        return false;
    }

    /**
     * True when this weight reads its values from {@code data} itself (it was made without a copy), so the memory
     * must stay resident; a converted or quantized copy answers false and its source pages can be released.
     */
    default boolean readsFrom(java.lang.foreign.MemorySegment data) {
        return false;
    }
}
