package dev.idefics4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The float32 decoding kernels of the native library ({@link NativeKernels}): up to
 * {@link Kernels#NATIVE_DECODE_MAX_ROWS} tokens against a 4-bit or an int8 weight here, as many against a bf16 one
 * through {@link Bf16Dot#decode}. They compute the same float32 products as the Java kernels, in another order (one
 * order for every number of tokens, so a sequence decodes the same alone or batched), and prefetch the weight rows
 * ahead of their reads, which the Vector API cannot. Used wherever the library runs on an AVX-512 CPU (AVX512F;
 * AVX512_BF16 only for the bf16-dot format); on CPUs without AVX-512, bf16 weights (where the JVM's vectors are
 * AVX2's), 4-bit and int8 weights take the library's AVX2 kernels. The switches
 * {@code -Didefics4j.native.bf16=false} and {@code -Didefics4j.native.avx512=false} make a CPU look like one
 * without AVX512_BF16 or without AVX-512, for tests and comparisons. {@code -Didefics4j.native.decode=false} keeps the Java kernels.
 */
public final class NativeDecoding {
    private static final boolean ENABLED = !"false".equals(System.getProperty("idefics4j.native.decode"));
    /**
     * Chunks per thread of a decoding product: finer than the default four, so a core slowed by a neighbour takes
     * fewer of them and the other is not left waiting at the end.
     */
    static final int CHUNKS_PER_THREAD = 16;
    /**
     * Fewest five-row tiles in a chunk of a bf16 decoding product: each tile prefetches the next three of its chunk
     * and none past it, so a chunk's first tiles wait on memory; with chunks of 3-4 tiles (a 576x576 product in 32
     * chunks) most would.
     */
    private static final int BF16_MIN_TILES_PER_CHUNK = 24;
    /**
     * Below this much work (weights times half the tokens: 1 MiB of bf16 weights for one token) a bf16 decoding
     * product runs on the calling thread: handing a loop to the other threads cost about as much as a 576x576
     * product's 0.66 MB take to stream (SmolVLM-256M's o_proj: 25 us on one thread, 45 on two, on a shared machine).
     */
    private static final long BF16_SHARED_MIN_WORK = 1L << 19;
    /**
     * Rows per native call of the 4-bit kernel: their scales, decoded in Java, fit a small per-thread buffer; whole
     * tiles of its eight, six or four rows (for one, two or more tokens).
     */
    private static final int FOUR_BIT_ROWS = 48;
    /** Elements per step of the 4-bit kernel: one 64-byte vector of packed codes. */
    private static final int FOUR_BIT_STEP = 128;
    /** Weight rows per chunk unit of the int8 kernel: whole tiles of its six rows, or four for a lone token. */
    private static final int INT8_TILE_ROWS = 12;

    private NativeDecoding() {
    }

    /**
     * Runs {@code body} over the {@code tiles} five-row tiles of a bf16 decoding product, each costing
     * {@code costPerTile} (weights times half the tokens): on the calling thread when the whole is under
     * {@link #BF16_SHARED_MIN_WORK}, else on all threads in chunks of at least {@link #BF16_MIN_TILES_PER_CHUNK}
     * tiles ({@link #CHUNKS_PER_THREAD} per thread where there are enough).
     */
    static void shareTiles(int tiles, long costPerTile, Parallel.RangeBody body) {
        if ((long) tiles * costPerTile < BF16_SHARED_MIN_WORK) {
            body.run(0, tiles);
            return;
        }
        int threads = Parallel.threads();
        int chunksPerThread = Math.max(1, Math.min(CHUNKS_PER_THREAD, tiles / (BF16_MIN_TILES_PER_CHUNK * threads)));
        Parallel.forChunks(tiles, costPerTile, chunksPerThread, body);
    }

    /** Whether the native decoding kernels run here (and are not switched off). */
    public static boolean available() {
        return ENABLED && NativeKernels.decodeAvailable();
    }

    /**
     * Whether bf16 weights decode through the AVX2 kernel: on a CPU whose widest vectors are AVX2's (the Java
     * kernels then take 8 lanes), and the kernels are not switched off. There it beats the Java kernels for 1 to 64
     * tokens (11008x4096, two threads, alternating in one JVM: one token 0.82 of the time, two 0.59, four and eight
     * 0.75, nine to 64 0.23-0.73 of the tiled product's); beside 16-lane Java vectors it would lose to the Java
     * kernels from four tokens on, and AVX-512 CPUs have the AVX-512 kernels anyway.
     */
    public static boolean takesBf16WithAvx2() {
        return ENABLED && Kernels.L == 8 && NativeKernels.avx2Available();
    }

    /**
     * Which kernels decode here, in a few words for reports: "native AVX-512", "bf16 native AVX2, 4-bit native
     * AVX2, int8 Java", or "Java", with the reason where Java kernels run.
     */
    public static String describe() {
        String bf16 = Kernels.L == 16 && available() ? "native AVX-512" : takesBf16WithAvx2() ? "native AVX2" : "Java";
        String fourBit = available() ? "native AVX-512" : quantizedWithAvx2() ? "native AVX2" : "Java";
        String int8 = available() ? "native AVX-512" : quantizedWithAvx2() ? "native AVX2" : "Java";
        String kernels = bf16.equals(fourBit) && bf16.equals(int8) ? bf16
                : "bf16 " + bf16 + ", 4-bit " + fourBit + ", int8 " + int8;
        if (!kernels.contains("Java")) {
            return kernels;
        }
        String why = !ENABLED ? "-Didefics4j.native.decode=false"
                : !NativeKernels.decodeAvailable() ? NativeKernels.decodeUnavailableReason()
                : "bf16 takes the native kernels beside " + 16 * 32 + "-bit Java vectors only";
        return kernels + " (" + why + ")";
    }

    /** Whether the AVX2 decoding kernels can run here at all (tests call them on any such CPU). */
    public static boolean avx2Available() {
        return NativeKernels.avx2Available();
    }

    /** Rows per chunk unit of the AVX2 kernel: its block, which every tile height (8, 6, 4, 3) divides. */
    private static final int AVX2_BLOCK_ROWS = 24;

    /**
     * Decoding a few tokens against a stored bf16 weight with the AVX2 kernel: {@code out[t][r] = sum_k x[t][k] *
     * W[r][k]} in float32, the weight rows prefetched ahead of their reads. Each (row, token) sum has one order
     * for every n, so a sequence decodes the same alone or batched (up to {@link Kernels#NATIVE_DECODE_MAX_ROWS}).
     */
    static void bf16Avx2(float[] x, int n, Weight w, float[] out) {
        int depth = w.cols();
        int rows = w.rows();
        Kernels.checkMatmul(w.name(), x, n, depth, out, rows);
        float[] xs = splitEvenOdd(x, n, depth, 8);
        int units = (rows + AVX2_BLOCK_ROWS - 1) / AVX2_BLOCK_ROWS;
        long cost = (long) depth * AVX2_BLOCK_ROWS * Math.max(1, n / 2);
        Parallel.forChunks(units, cost, CHUNKS_PER_THREAD, (u0, u1) ->
                NativeKernels.bf16GemvAvx2(xs, n, depth, w.data(), AVX2_BLOCK_ROWS * u0,
                        Math.min(rows, AVX2_BLOCK_ROWS * u1), out, rows));
    }

    /**
     * Per token and per full {@code 2 * lanes} block: the even-indexed elements, then the odd ones; the tail as it
     * is (the layout of the kernels that widen a 32-bit lane of two bf16 weights into an even and an odd float).
     */
    static float[] splitEvenOdd(float[] x, int n, int depth, int lanes) {
        float[] xs = new float[n * depth];
        int block = 2 * lanes;
        int full = depth - depth % block;
        for (int t = 0; t < n; t++) {
            int o = t * depth;
            for (int k = 0; k < full; k += block) {
                for (int i = 0; i < lanes; i++) {
                    xs[o + k + i] = x[o + k + 2 * i];
                    xs[o + k + lanes + i] = x[o + k + 2 * i + 1];
                }
            }
            System.arraycopy(x, o + full, xs, o + full, depth - full);
        }
        return xs;
    }

    /** The scales of blocks [first, first + count) of a blockwise-quantized weight into {@code out[0..count)}. */
    @FunctionalInterface
    public interface BlockScaleDecoder {
        void decode(long first, int count, float[] out);
    }

    /** Whether {@link #fourBit} takes a 4-bit weight of this shape: whole 128-element steps, blocks of 64 or more. */
    public static boolean takesFourBit(int cols, int blocksize) {
        boolean blocks = blocksize % 64 == 0 && cols % blocksize == 0;
        return available() ? blocks && cols % FOUR_BIT_STEP == 0 : quantizedWithAvx2() && blocks;
    }

    /**
     * Whether 4-bit and int8 weights decode through the AVX2 kernels: on CPUs without AVX-512 (the AVX-512 kernels
     * are faster where both run) with AVX2 and FMA, and the kernels are not switched off. The 4-bit one's steps are
     * 64 elements, so every blocksize the AVX-512 kernel takes it takes too, and also column counts of 64 more than
     * a multiple of 128.
     */
    static boolean quantizedWithAvx2() {
        return ENABLED && !NativeKernels.decodeAvailable() && NativeKernels.avx2Available();
    }

    /**
     * {@code out[t][r] = sum_k table[code(r, k)] * scale(r, k) * x[t][k]} for {@code n} tokens (up to a few) and a
     * 4-bit weight in bitsandbytes' layout ({@code packed}: rows x cols/2 bytes, element 2m in the high nibble of
     * byte m), on all threads. Only for shapes {@link #takesFourBit} accepts.
     */
    public static void fourBit(float[] x, int n, int rows, int cols, MemorySegment packed, int blocksize,
                               float[] table, BlockScaleDecoder scales, float[] out) {
        if (!takesFourBit(cols, blocksize) || table.length != 16) {
            throw new IllegalArgumentException("the native 4-bit kernel does not take [" + rows + ", " + cols
                    + "] in blocks of " + blocksize);
        }
        Kernels.checkMatmul("4-bit weight", x, n, cols, out, rows);
        if (packed.byteSize() < (long) rows * cols / 2) {
            throw new IllegalArgumentException("4-bit weight [" + rows + ", " + cols + "] has only "
                    + packed.byteSize() + " bytes of codes");
        }
        fourBit(available(), x, n, rows, cols, packed, blocksize, table, scales, out);
    }

    /**
     * The 4-bit product through the AVX-512 kernel ({@code avx512}) or the AVX2 one, each with its activation
     * order; shapes as {@link #takesFourBit} accepts. {@link #fourBit} picks the kernel; tests choose one here
     * (the AVX2 kernel runs on any CPU with AVX2).
     */
    public static void fourBit(boolean avx512, float[] x, int n, int rows, int cols, MemorySegment packed, int blocksize,
                        float[] table, BlockScaleDecoder scales, float[] out) {
        float[] xq = new float[n * cols];
        for (int t = 0; t < n; t++) {
            fourBitActivations(x, t * cols, cols, xq, t * cols, avx512 ? 16 : 8);
        }
        int blocksPerRow = cols / blocksize;
        int groups = (rows + FOUR_BIT_ROWS - 1) / FOUR_BIT_ROWS;
        Parallel.forChunks(groups, (long) cols * FOUR_BIT_ROWS * Math.max(1, n / 2), CHUNKS_PER_THREAD, (g0, g1) -> {
            float[] s = ThreadBuffers.floats(ThreadBuffers.FOUR_BIT_SCALES, FOUR_BIT_ROWS * blocksPerRow);
            for (int g = g0; g < g1; g++) {
                int r = g * FOUR_BIT_ROWS;
                int end = Math.min(rows, r + FOUR_BIT_ROWS);
                scales.decode((long) r * blocksPerRow, (end - r) * blocksPerRow, s);
                if (avx512) {
                    NativeKernels.fourBitGemv(xq, n, cols, packed, s, blocksize, table, r, end, out, rows);
                } else {
                    NativeKernels.fourBitGemvAvx2(xq, n, cols, packed, s, blocksize, table, r, end, out, rows);
                }
            }
        });
    }

    /**
     * {@code out[t][r] = rowScale[r] * sum_k q[r][k] * x[t][k]} for {@code n} tokens (up to a few; the kernel's
     * tiles are six rows by four tokens) and an int8 weight [rows, cols] (one signed byte per element), on all
     * threads.
     */
    public static void int8(float[] x, int n, int rows, int cols, MemorySegment q, float[] rowScale, float[] out) {
        if (!takesInt8()) {
            throw new UnsupportedOperationException("native decoding kernels unavailable");
        }
        int8(available(), x, n, rows, cols, q, rowScale, out);
    }

    /** Whether {@link #int8} runs here: the AVX-512 kernel, or the AVX2 one on CPUs without AVX-512. */
    public static boolean takesInt8() {
        return available() || quantizedWithAvx2();
    }

    /**
     * The int8 product through the AVX-512 kernel ({@code avx512}) or the AVX2 one. {@link #int8} picks the kernel;
     * tests choose one here (the AVX2 kernel runs on any CPU with AVX2).
     */
    public static void int8(boolean avx512, float[] x, int n, int rows, int cols, MemorySegment q, float[] rowScale,
                            float[] out) {
        Kernels.checkMatmul("int8 weight", x, n, cols, out, rows);
        if (q.byteSize() < (long) rows * cols || rowScale.length < rows) {
            throw new IllegalArgumentException("int8 weight [" + rows + ", " + cols + "] has " + q.byteSize()
                    + " bytes and " + rowScale.length + " scales");
        }
        int tiles = (rows + INT8_TILE_ROWS - 1) / INT8_TILE_ROWS;
        long cost = (long) cols * INT8_TILE_ROWS * Math.max(1, n / 2);
        Parallel.forChunks(tiles, cost, CHUNKS_PER_THREAD, (t0, t1) ->
                int8Rows(avx512, x, n, cols, q, rowScale, INT8_TILE_ROWS * t0, Math.min(rows, INT8_TILE_ROWS * t1),
                        out, rows));
    }

    private static void int8Rows(boolean avx512, float[] x, int n, int cols, MemorySegment q, float[] rowScale,
                                 int r0, int r1, float[] out, int ldo) {
        if (avx512) {
            NativeKernels.int8Gemv(x, n, cols, q, rowScale, r0, r1, out, ldo);
        } else {
            NativeKernels.int8GemvAvx2(x, n, cols, q, rowScale, r0, r1, out, ldo);
        }
    }

    /**
     * One token's activations in a 4-bit kernel's order: per step of {@code 8 * lanes} elements, for j = 0..7, the
     * {@code lanes} elements {@code 8i + (j ^ 1)} (nibble j of the step's 32-bit lane i holds element 8i + (j ^ 1)).
     * 16 lanes for the AVX-512 kernel, 8 for the AVX2 one.
     */
    static void fourBitActivations(float[] x, int from, int cols, float[] xq, int to, int lanes) {
        for (int s = 0; s < cols; s += 8 * lanes) {
            for (int j = 0; j < 8; j++) {
                for (int i = 0; i < lanes; i++) {
                    xq[to + s + lanes * j + i] = x[from + s + 8 * i + (j ^ 1)];
                }
            }
        }
    }
}
