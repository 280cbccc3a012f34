package dev.idefics4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Products of many activation rows (prefill, images) by a bf16 weight through the CPU's bf16 dot-product
 * instruction ({@link NativeKernels}): the activations are rounded to bf16, as PyTorch's bf16 inference holds them,
 * and the products accumulate in float32. Twice the multiply-adds per instruction of the float32 {@link Gemm}, at
 * the price of activations with 8 significant bits; the exact float32 path stays the default. Also the decoding
 * products through the native decoding kernels, which prefetch their weight rows: float32 for every bf16 weight
 * ({@link #decode}), and with bf16 activations for the {@code bf16-dot} format ({@link #decodeRounded}).
 */
public final class Bf16Dot {
    /** Weight rows per native call: whole panels of 32, a few calls per thread so a slowed core takes fewer. */
    private static final int PANEL = 32;
    /** Weight rows per tile of the native decoding kernel ({@code GEMV_ROWS} in bf16_dot.c). */
    private static final int DECODE_TILE_ROWS = 5;

    /**
     * Per thread, kept between calls: the packed activations (a fresh allocation per product, hundreds of KiB, was
     * mapped anew each time and page-faulted back in, about a tenth of a ViT product) and one panel of a decoded
     * weight in bf16.
     */
    private static final ThreadLocal<MemorySegment> PACKED = ThreadLocal.withInitial(() -> MemorySegment.NULL);
    private static final ThreadLocal<MemorySegment> BF16_ROWS = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    private Bf16Dot() {
    }

    /** True when this machine and build run the bf16 dot-product kernel. */
    public static boolean available() {
        return NativeKernels.available();
    }

    /** Why {@link #available()} is false, or null. */
    public static String unavailableReason() {
        return NativeKernels.unavailableReason();
    }

    /** {@code out[t][r] = sum_k bf16(x[t][k]) * W[r][k]} for {@code n} rows of {@code x} and a bf16 weight. */
    public static void multiply(float[] x, int n, Weight w, float[] out) {
        multiply(x, n, w, null, out);
    }

    /**
     * As {@link #multiply(float[], int, Weight, float[])}, reading the weight from {@code packed} ({@link #pack} of
     * it) when that is not null: the panels the kernel streams are then not transposed again on every call.
     */
    static void multiply(float[] x, int n, Weight w, MemorySegment packed, float[] out) {
        if (w.dtype() != DType.BF16) {
            throw new IllegalArgumentException(w.name() + ": the bf16 dot-product kernel needs a bf16 weight, not "
                    + w.dtype());
        }
        int depth = w.cols();
        int rows = w.rows();
        Kernels.checkMatmul(w.name(), x, n, depth, out, rows);
        if (n == 0) {
            return;
        }
        MemorySegment activations = packActivations(x, n, depth);
        int panels = (rows + PANEL - 1) / PANEL;
        MemorySegment stored = packed == null ? w.data() : null;
        Parallel.forChunks(panels, (long) n * depth * PANEL, (p0, p1) -> NativeKernels.bf16Gemm(activations, n, depth,
                stored, packed, p0 * PANEL, Math.min(rows, p1 * PANEL), out, rows));
    }

    /**
     * Decoding a few tokens: {@code out[t][r] = sum_k x[t][k] * W[r][k]} in float32 (activations not rounded) for
     * a stored bf16 weight, through the native kernel, which prefetches the weight rows ahead of its reads. The
     * activations are split into even and odd halves per 32-element block once per product, as {@link Gemv} does
     * for its own bf16 kernels (with 16-lane vectors; the Java kernels take any other vector width).
     */
    static void decode(float[] x, int n, Weight w, float[] out) {
        int depth = w.cols();
        int rows = w.rows();
        Kernels.checkMatmul(w.name(), x, n, depth, out, rows);
        if (Kernels.L != 16) {
            Kernels.matmul(x, n, w, out);
            return;
        }
        float[] xs = Gemv.deinterleave(x, n, depth);
        int tiles = (rows + DECODE_TILE_ROWS - 1) / DECODE_TILE_ROWS;
        long cost = (long) depth * DECODE_TILE_ROWS * Math.max(1, n / 2);
        NativeDecoding.shareTiles(tiles, cost, (t0, t1) ->
                NativeKernels.bf16Gemv(xs, n, depth, w.data(), DECODE_TILE_ROWS * t0,
                        Math.min(rows, DECODE_TILE_ROWS * t1), out, rows));
    }

    /**
     * {@link #decode} of the same activations against several stored bf16 weights of equal depth (a layer's q, k
     * and v, or gate and up) in one parallel loop over all their tiles: the activations are split once, and threads
     * are handed one loop instead of one per weight. Each output is what {@link #decode} gives.
     */
    static void decodeEach(float[] x, int n, Weight[] ws, float[][] outs) {
        int depth = ws[0].cols();
        int[] firstTile = new int[ws.length + 1];
        for (int i = 0; i < ws.length; i++) {
            Kernels.checkMatmul(ws[i].name(), x, n, depth, outs[i], ws[i].rows());
            firstTile[i + 1] = firstTile[i] + (ws[i].rows() + DECODE_TILE_ROWS - 1) / DECODE_TILE_ROWS;
        }
        float[] xs = Gemv.deinterleave(x, n, depth);
        int tiles = firstTile[ws.length];
        long cost = (long) depth * DECODE_TILE_ROWS * Math.max(1, n / 2);
        NativeDecoding.shareTiles(tiles, cost, (t0, t1) -> {
            for (int i = 0; i < ws.length; i++) {
                int from = Math.max(t0, firstTile[i]) - firstTile[i];
                int to = Math.min(t1, firstTile[i + 1]) - firstTile[i];
                if (from < to) {
                    int rows = ws[i].rows();
                    NativeKernels.bf16Gemv(xs, n, depth, ws[i].data(), DECODE_TILE_ROWS * from,
                            Math.min(rows, DECODE_TILE_ROWS * to), outs[i], rows);
                }
            }
        });
    }

    /**
     * Decoding a few tokens in the {@code bf16-dot} arithmetic: {@code out[t][r] = sum_k bf16(x[t][k]) * W[r][k]}
     * for a stored bf16 weight, as {@link #multiply} computes it for many tokens, through the native decoding
     * kernel's tiles with the dot-product instruction (one instruction per 32 weights and token, where the float32
     * kernel widens and takes two). Each (row, token) sum has one order for every n, so a sequence decodes the
     * same alone or batched.
     */
    static void decodeRounded(float[] x, int n, Weight w, float[] out) {
        int depth = w.cols();
        int rows = w.rows();
        Kernels.checkMatmul(w.name(), x, n, depth, out, rows);
        if (n == 0) {
            return;
        }
        short[] xb = new short[n * depth];
        NativeKernels.floatsToBf16(x, n * depth, MemorySegment.ofArray(xb));
        int tiles = (rows + DECODE_TILE_ROWS - 1) / DECODE_TILE_ROWS;
        long cost = (long) depth * DECODE_TILE_ROWS * Math.max(1, n / 2);
        NativeDecoding.shareTiles(tiles, cost, (t0, t1) ->
                NativeKernels.bf16DotGemv(xb, n, depth, w.data(), DECODE_TILE_ROWS * t0,
                        Math.min(rows, DECODE_TILE_ROWS * t1), out, rows));
    }

    /**
     * {@code out[t][r] = sum_k bf16(x[t][k]) * bf16(W[r][k])} for a weight [rows, depth] whose rows {@code decoder}
     * yields as floats (a quantized weight): each panel of 32 rows is decoded, rounded to bf16 and multiplied while
     * it is in cache, as bitsandbytes dequantizes to its bf16 compute dtype before multiplying.
     */
    public static void multiply(float[] x, int n, int rows, int depth, PanelSource.RowDecoder decoder, float[] out) {
        Kernels.checkMatmul("bf16 dot product", x, n, depth, out, rows);
        if (n == 0) {
            return;
        }
        MemorySegment activations = packActivations(x, n, depth);
        int panels = (rows + PANEL - 1) / PANEL;
        Parallel.forChunks(panels, (long) n * depth * PANEL, (p0, p1) -> {
            float[] decoded = ThreadBuffers.floats(ThreadBuffers.DECODED_ROWS, PANEL * depth);
            MemorySegment bf16 = threadSegment(BF16_ROWS, PANEL * depth * 2L);
            for (int p = p0; p < p1; p++) {
                int r0 = p * PANEL;
                int count = Math.min(PANEL, rows - r0);
                for (int j = 0; j < count; j++) {
                    decoder.decode(r0 + j, 0, depth, decoded, j * depth);
                }
                NativeKernels.floatsToBf16(decoded, count * depth, bf16);
                NativeKernels.bf16Gemm(activations, n, depth, bf16, null, 0, count, out, r0, rows);
            }
        });
    }

    /** {@code x} (n rows of {@code depth}) converted and laid out for the kernel, in this thread's buffer. */
    private static MemorySegment packActivations(float[] x, int n, int depth) {
        int tile = NativeKernels.tile();
        int tiles = (n + tile - 1) / tile;
        long kpairs = (depth + 1) / 2;
        MemorySegment activations = threadSegment(PACKED, tiles * kpairs * tile * 4L);
        Parallel.forChunks(tiles, (long) tile * depth,
                (t0, t1) -> NativeKernels.packActivations(x, n, depth, depth, activations, t0, t1));
        return activations;
    }

    /**
     * The bf16 weight {@code w} in the kernel's panel layout (the same bytes, rearranged), in anonymous memory: for
     * weights that only ever multiply many tokens, where transposing panels on every call cost about a sixth of
     * each product.
     */
    static MemorySegment pack(Weight w) {
        if (w.dtype() != DType.BF16) {
            throw new IllegalArgumentException(w.name() + ": only bf16 weights are packed, not " + w.dtype());
        }
        int rows = w.rows();
        int depth = w.cols();
        MemorySegment out = HugePages.allocate(NativeKernels.packedWeightBytes(rows, depth));
        int panels = (rows + PANEL - 1) / PANEL;
        Parallel.forChunks(panels, (long) depth * PANEL, (p0, p1) -> NativeKernels.packWeights(w.data(), rows, depth,
                out, p0 * PANEL, Math.min(rows, p1 * PANEL)));
        return out;
    }

    /** This thread's segment in {@code slot}, 64-byte aligned, grown (at least doubling) to {@code bytes}. */
    static MemorySegment threadSegment(ThreadLocal<MemorySegment> slot, long bytes) {
        MemorySegment b = slot.get();
        if (b.byteSize() < bytes) {
            b = Arena.ofAuto().allocate(Math.max(bytes, 2 * b.byteSize()), 64);
            slot.set(b);
        }
        return b;
    }
}
