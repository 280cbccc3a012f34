package dev.idefics4j.tensor;

/**
 * A bf16 weight whose products of many tokens (images, prompts) go through the CPU's bf16 dot-product instruction
 * ({@link Bf16Dot}, activations rounded to bf16), while decoding a few tokens keeps the exact float32 kernels: a
 * decoding step is bound by reading the weights, so bf16 activations would lose precision and gain nothing.
 * This is the {@value #FORMAT} weight format.
 */
public record Bf16DotWeight(Weight stored) implements MatrixWeight {
    public static final String FORMAT = "bf16-dot";

    public Bf16DotWeight {
        if (stored.dtype() != DType.BF16) {
            throw new IllegalArgumentException(stored.name() + ": " + FORMAT + " needs a bf16 weight, not "
                    + stored.dtype());
        }
    }

    /**
     * {@code w} (converted to bf16 first when stored otherwise) with bf16 dot-product products; fails with the
     * reason when this machine or build has no such kernel.
     */
    public static Bf16DotWeight of(Weight w) {
        requireAvailable();
        return new Bf16DotWeight(WeightFormats.as(w, DType.BF16));
    }

    /** Throws, naming the reason, unless the bf16 dot-product kernel runs here. */
    public static void requireAvailable() {
        if (!Bf16Dot.available()) {
            throw new UnsupportedOperationException(FORMAT + " is unavailable: " + Bf16Dot.unavailableReason());
        }
    }

    @Override
    public String name() {
        return stored.name();
    }

    @Override
    public int rows() {
        return stored.rows();
    }

    @Override
    public int cols() {
        return stored.cols();
    }

    @Override
    public void matmul(float[] x, int n, float[] out) {
        if (n > Kernels.GEMV_MAX_ROWS) {
            Bf16Dot.multiply(x, n, stored, out);
        } else {
            Kernels.matmul(x, n, stored, out);
        }
    }

    @Override
    public boolean readsFrom(java.lang.foreign.MemorySegment data) {
        return stored.readsFrom(data);
    }

    @Override
    public long byteSize() {
        return stored.byteSize();
    }
}
