package dev.idefics4j.tensor;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A bf16 weight whose every product goes through the CPU's bf16 dot-product instruction ({@link Bf16Dot}): the
 * activations are rounded to bf16, as PyTorch's bf16 inference holds them, and the products accumulate in float32.
 * Many tokens (images, prompts) take the tiled product; decoding up to {@value #DECODE_MAX_ROWS} tokens takes the
 * native decoding kernel's tiles, which prefetch the weight rows and give each token the same sums alone or
 * batched. This is the {@value #FORMAT} weight format.
 */
public record Bf16DotWeight(Weight stored, MemorySegment packed) implements MatrixWeight {
    public static final String FORMAT = "bf16-dot";
    /**
     * Most tokens a product decodes with the decoding kernel (row tiles, the weight streamed once) rather than the
     * tiled product (panels transposed as they are read). 11008x4096 on two threads, alternating in one process:
     * 8 tokens 0.80 of the time of the float32 decoding kernel, 16 0.83 of the tiled product's, 32 0.97, 64 1.40.
     */
    public static final int DECODE_MAX_ROWS = 32;
    /**
     * Layers that only ever see many tokens at once (the vision tower and the resampler, one image's 257 tokens
     * and 64 latents): their weights are packed once into the kernel's layout, in place of the mapped ones.
     */
    private static final List<String> MANY_TOKENS_ONLY = List.of("model.vision_model.", "model.perceiver_resampler.");

    /**
     * @param packed the weight in the native kernel's panel layout, or null to read the stored weight (and
     *               transpose its panels on each product)
     */
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
        Weight bf16 = WeightFormats.as(w, DType.BF16);
        boolean manyTokensOnly = MANY_TOKENS_ONLY.stream().anyMatch(w.name()::startsWith);
        return new Bf16DotWeight(bf16, manyTokensOnly ? Bf16Dot.pack(bf16) : null);
    }

    /**
     * {@code w} with bf16 dot products for many tokens, whatever its form: a stored weight as {@link #of}, any other
     * (quantized) as a {@link Bf16DotDecodedWeight}.
     */
    public static MatrixWeight wrap(MatrixWeight w) {
        requireAvailable();
        return w instanceof Weight stored ? of(stored) : new Bf16DotDecodedWeight(w);
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
        if (packed == null && n <= DECODE_MAX_ROWS) {
            Bf16Dot.decodeRounded(x, n, stored, out);
        } else {
            Bf16Dot.multiply(x, n, stored, packed, out);
        }
    }

    @Override
    public boolean bf16DotProducts() {
        return true;
    }

    @Override
    public PanelSource.RowDecoder rowDecoder() {
        return stored.rowDecoder();
    }

    @Override
    public boolean readsFrom(MemorySegment data) {
        return packed == null && stored.readsFrom(data);
    }

    @Override
    public long byteSize() {
        return packed == null ? stored.byteSize() : packed.byteSize();
    }
}
