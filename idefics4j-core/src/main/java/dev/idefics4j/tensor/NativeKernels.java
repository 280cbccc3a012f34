package dev.idefics4j.tensor;

import dev.idefics4j.nativelib.BundledLibrary;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The optional native kernel library ({@code src/main/c/bf16_dot.c}, built into the jar when the build machine has
 * gcc), reached through {@code java.lang.foreign}: it gives the CPU's bf16 dot-product instruction (AVX512_BF16)
 * and software prefetch for decoding, neither of which the Vector API exposes. It has three tiers, each loaded where
 * the CPU has its instructions: the bf16 dot products (AVX512_BF16), the float32 decoding kernels for AVX-512
 * CPUs (AVX512F) and those for AVX2 CPUs (AVX2 and FMA). Loaded on first use only; everything works without it, and
 * {@link #unavailableReason()} says why it is missing. The system property {@code idefics4j.native.library} names
 * a library file to use instead of the bundled one.
 */
final class NativeKernels {
    private static final String RESOURCE = "/native/linux-x86_64/libidefics4j_kernels.so";
    private static final int ABI_VERSION = 13;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

    /** Resolved once, on first use. */
    private static final class Loaded {
        /** Why the bf16 dot-product kernels (AVX512_BF16) cannot run, or null. */
        static final String REASON;
        /** Why the float32 decoding kernels for AVX-512 CPUs (bf16, 4-bit, int8 weights) cannot run, or null. */
        static final String DECODE_REASON;
        /** Why the AVX2 decoding kernels (bf16, 4-bit, int8 weights) cannot run, or null. */
        static final String AVX2_REASON;
        static final MethodHandle PACK;
        static final MethodHandle GEMM;
        static final MethodHandle PACK_WEIGHTS;
        static final MethodHandle PACKED_WORDS;
        static final MethodHandle PACK_FLOAT_ROWS;
        static final MethodHandle PACK_FLOAT_COLUMNS;
        static final MethodHandle SOFTMAX_PACK;
        static final MethodHandle GEMM_SCALED;
        static final MethodHandle TO_BF16;
        static final MethodHandle DOT_GEMV;
        static final MethodHandle GEMV;
        static final MethodHandle Q4_GEMV;
        static final MethodHandle I8_GEMV;
        static final MethodHandle AVX2_GEMV;
        static final MethodHandle Q4_AVX2_GEMV;
        static final MethodHandle I8_AVX2_GEMV;
        static final int TILE;

        static {
            String reason = null;
            String decodeReason = null;
            String avx2Reason = null;
            MethodHandle pack = null;
            MethodHandle gemm = null;
            MethodHandle packWeights = null;
            MethodHandle packedWords = null;
            MethodHandle packFloatRows = null;
            MethodHandle packFloatColumns = null;
            MethodHandle softmaxPack = null;
            MethodHandle gemmScaled = null;
            MethodHandle toBf16 = null;
            MethodHandle dotGemv = null;
            MethodHandle gemv = null;
            MethodHandle q4Gemv = null;
            MethodHandle i8Gemv = null;
            MethodHandle avx2Gemv = null;
            MethodHandle q4Avx2Gemv = null;
            MethodHandle i8Avx2Gemv = null;
            int tile = 0;
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup(libraryFile(), Arena.global());
                Linker linker = Linker.nativeLinker();
                // Heap arrays (activations, outputs) are passed directly: the calls are short and do not call back
                // into Java.
                Linker.Option heap = Linker.Option.critical(true);
                FunctionDescriptor gemvShape = FunctionDescriptor.ofVoid(ADDRESS, LONG, LONG, ADDRESS, LONG, LONG,
                        ADDRESS, LONG);
                FunctionDescriptor int8Shape = FunctionDescriptor.ofVoid(ADDRESS, LONG, LONG, ADDRESS, ADDRESS, LONG,
                        LONG, ADDRESS, LONG);
                FunctionDescriptor fourBitShape = FunctionDescriptor.ofVoid(ADDRESS, LONG, LONG, ADDRESS, ADDRESS, LONG,
                        ADDRESS, LONG, LONG, ADDRESS, LONG);
                int abi = intCall(lib, linker, "i4j_abi_version");
                if (abi != ABI_VERSION) {
                    reason = "the native kernel library has interface version " + abi + ", this build needs "
                            + ABI_VERSION;
                    decodeReason = reason;
                    avx2Reason = reason;
                } else {
                    tile = intCall(lib, linker, "i4j_tokens_per_tile");
                    // The two switches make this CPU look like an older one: without AVX512_BF16, or without
                    // AVX-512 at all (AVX2 only), for tests and comparisons.
                    boolean noAvx512 = "false".equals(System.getProperty("idefics4j.native.avx512"));
                    if (intCall(lib, linker, "i4j_bf16_supported") != 1) {
                        reason = "this CPU has no AVX512_BF16 instructions";
                    } else if (noAvx512 || "false".equals(System.getProperty("idefics4j.native.bf16"))) {
                        reason = "switched off by -Didefics4j.native." + (noAvx512 ? "avx512" : "bf16") + "=false";
                    } else {
                        pack = linker.downcallHandle(lib.findOrThrow("i4j_pack_activations"), FunctionDescriptor
                                .ofVoid(ADDRESS, LONG, LONG, LONG, ADDRESS, LONG, LONG), heap);
                        gemm = linker.downcallHandle(lib.findOrThrow("i4j_bf16_gemm"), FunctionDescriptor
                                .ofVoid(ADDRESS, LONG, LONG, ADDRESS, ADDRESS, LONG, LONG, ADDRESS, LONG), heap);
                        packWeights = linker.downcallHandle(lib.findOrThrow("i4j_pack_weights"), FunctionDescriptor
                                .ofVoid(ADDRESS, LONG, LONG, ADDRESS, LONG, LONG), heap);
                        packedWords = linker.downcallHandle(lib.findOrThrow("i4j_packed_weight_words"),
                                FunctionDescriptor.of(LONG, LONG, LONG));
                        packFloatRows = linker.downcallHandle(lib.findOrThrow("i4j_pack_float_rows"),
                                FunctionDescriptor.ofVoid(ADDRESS, LONG, LONG, LONG, ADDRESS), heap);
                        packFloatColumns = linker.downcallHandle(lib.findOrThrow("i4j_pack_float_columns"),
                                FunctionDescriptor.ofVoid(ADDRESS, LONG, LONG, LONG, ADDRESS), heap);
                        softmaxPack = linker.downcallHandle(lib.findOrThrow("i4j_softmax_pack"),
                                FunctionDescriptor.ofVoid(ADDRESS, LONG, LONG, LONG, ValueLayout.JAVA_FLOAT, ADDRESS,
                                        ADDRESS, ADDRESS, ADDRESS), heap);
                        gemmScaled = linker.downcallHandle(lib.findOrThrow("i4j_bf16_gemm_scaled"),
                                FunctionDescriptor.ofVoid(ADDRESS, LONG, LONG, ADDRESS, LONG, LONG, ADDRESS, LONG,
                                        ADDRESS), heap);
                        toBf16 = linker.downcallHandle(lib.findOrThrow("i4j_floats_to_bf16"),
                                FunctionDescriptor.ofVoid(ADDRESS, LONG, ADDRESS), heap);
                        dotGemv = linker.downcallHandle(lib.findOrThrow("i4j_bf16_dot_gemv"), gemvShape, heap);
                    }
                    if (intCall(lib, linker, "i4j_avx512_supported") != 1) {
                        decodeReason = "this CPU has no AVX-512 instructions";
                    } else if (noAvx512) {
                        decodeReason = "switched off by -Didefics4j.native.avx512=false";
                    } else {
                        gemv = linker.downcallHandle(lib.findOrThrow("i4j_bf16_gemv"), gemvShape, heap);
                        q4Gemv = linker.downcallHandle(lib.findOrThrow("i4j_q4_gemv"), fourBitShape, heap);
                        i8Gemv = linker.downcallHandle(lib.findOrThrow("i4j_i8_gemv"), int8Shape, heap);
                    }
                    if (intCall(lib, linker, "i4j_avx2_supported") != 1) {
                        avx2Reason = "this CPU has no AVX2 and FMA instructions";
                    } else {
                        avx2Gemv = linker.downcallHandle(lib.findOrThrow("i4j_bf16_gemv_avx2"), gemvShape, heap);
                        q4Avx2Gemv = linker.downcallHandle(lib.findOrThrow("i4j_q4_gemv_avx2"), fourBitShape, heap);
                        i8Avx2Gemv = linker.downcallHandle(lib.findOrThrow("i4j_i8_gemv_avx2"), int8Shape, heap);
                    }
                }
            } catch (Throwable e) {
                reason = "the native kernel library could not be loaded: " + e.getMessage();
                decodeReason = reason;
                avx2Reason = reason;
                pack = gemm = packWeights = packedWords = toBf16 = dotGemv = gemv = q4Gemv = i8Gemv = avx2Gemv = null;
                packFloatRows = packFloatColumns = softmaxPack = gemmScaled = null;
                q4Avx2Gemv = null;
                i8Avx2Gemv = null;
            }
            REASON = reason;
            DECODE_REASON = decodeReason;
            AVX2_REASON = avx2Reason;
            PACK = pack;
            GEMM = gemm;
            PACK_WEIGHTS = packWeights;
            PACKED_WORDS = packedWords;
            PACK_FLOAT_ROWS = packFloatRows;
            PACK_FLOAT_COLUMNS = packFloatColumns;
            SOFTMAX_PACK = softmaxPack;
            GEMM_SCALED = gemmScaled;
            TO_BF16 = toBf16;
            DOT_GEMV = dotGemv;
            GEMV = gemv;
            Q4_GEMV = q4Gemv;
            I8_GEMV = i8Gemv;
            AVX2_GEMV = avx2Gemv;
            Q4_AVX2_GEMV = q4Avx2Gemv;
            I8_AVX2_GEMV = i8Avx2Gemv;
            TILE = tile;
        }

        private static int intCall(SymbolLookup lib, Linker linker, String name) throws Throwable {
            return (int) linker.downcallHandle(lib.findOrThrow(name), FunctionDescriptor.of(ValueLayout.JAVA_INT))
                    .invokeExact();
        }
    }

    private NativeKernels() {
    }

    /** True when the bf16 dot-product kernel can run here. */
    static boolean available() {
        return Loaded.REASON == null;
    }

    /**
     * True when the float32 decoding kernels for AVX-512 CPUs can run here: bf16 ({@link #bf16Gemv}), 4-bit and
     * int8 weights. They need AVX512F only, so they also run where the bf16 dot products ({@link #available}) do not.
     */
    static boolean decodeAvailable() {
        return Loaded.DECODE_REASON == null;
    }

    /** Why {@link #decodeAvailable()} is false, or null. */
    static String decodeUnavailableReason() {
        return Loaded.DECODE_REASON;
    }

    private static void checkAvx2() {
        if (!avx2Available()) {
            throw new UnsupportedOperationException("AVX2 decoding kernels unavailable: " + avx2UnavailableReason());
        }
    }

    private static void checkDecode() {
        if (!decodeAvailable()) {
            throw new UnsupportedOperationException("native decoding kernels unavailable: "
                    + decodeUnavailableReason());
        }
    }

    /** True when the AVX2 float32 decoding kernels (bf16, 4-bit, int8 weights) can run here. */
    static boolean avx2Available() {
        return Loaded.AVX2_REASON == null;
    }

    /** Why {@link #avx2Available()} is false, or null. */
    static String avx2UnavailableReason() {
        return Loaded.AVX2_REASON;
    }

    /**
     * {@code out[t * ldo + r] = sum_k x[t][k] * w[r][k]} for {@code n} tokens ({@code xs}: [n, depth], split per
     * 16-element block into its 8 even and 8 odd elements) and rows [r0, r1) of the stored bf16 weight {@code w},
     * with AVX2 and FMA.
     */
    static void bf16GemvAvx2(float[] xs, int n, int depth, MemorySegment w, int r0, int r1, float[] out, int ldo) {
        checkAvx2();
        try {
            Loaded.AVX2_GEMV.invokeExact(MemorySegment.ofArray(xs), (long) n, (long) depth, w, (long) r0, (long) r1,
                    MemorySegment.ofArray(out), (long) ldo);
        } catch (Throwable e) {
            throw new IllegalStateException("native AVX2 bf16 decoding product failed", e);
        }
    }

    /** Why {@link #available()} is false, or null. */
    static String unavailableReason() {
        return Loaded.REASON;
    }

    private static Path libraryFile() throws IOException {
        return BundledLibrary.file(RESOURCE, "idefics4j.native.library", "gcc was not found when it was built");
    }

    private static void check() {
        if (!available()) {
            throw new UnsupportedOperationException("bf16 dot-product kernel unavailable: " + unavailableReason());
        }
    }

    /** Tokens per packed activation tile. */
    static int tile() {
        check();
        return Loaded.TILE;
    }

    /** Packs tiles [tile0, tile1) of {@code a} (n rows of {@code depth} at stride {@code lda}) as bf16 pairs. */
    static void packActivations(float[] a, int n, int lda, int depth, MemorySegment out, int tile0, int tile1) {
        packActivations(a, 0, n, lda, depth, out, tile0, tile1);
    }

    /** As above, row t of the activations at {@code a[aOffset + t * lda]}. */
    static void packActivations(float[] a, int aOffset, int n, int lda, int depth, MemorySegment out, int tile0,
                                int tile1) {
        check();
        try {
            Loaded.PACK.invokeExact(MemorySegment.ofArray(a).asSlice(4L * aOffset), (long) n, (long) lda,
                    (long) depth, out, (long) tile0, (long) tile1);
        } catch (Throwable e) {
            throw new IllegalStateException("native activation packing failed", e);
        }
    }

    /**
     * {@code c[t][r] = sum_k bf16(a[t][k]) * W[r][k]} for rows [r0, r1), from packed activations; W is the stored
     * bf16 {@code w}, or, when {@code w} is null, {@code packedW} from {@link #packWeights} (r0 a multiple of 32).
     */
    static void bf16Gemm(MemorySegment packed, int n, int depth, MemorySegment w, MemorySegment packedW, int r0,
                         int r1, float[] c, int ldc) {
        bf16Gemm(packed, n, depth, w, packedW, r0, r1, c, 0, ldc);
    }

    /** As above, row t of the output at {@code c[cOffset + t * ldc]}. */
    static void bf16Gemm(MemorySegment packed, int n, int depth, MemorySegment w, MemorySegment packedW, int r0,
                         int r1, float[] c, int cOffset, int ldc) {
        check();
        try {
            MemorySegment stored = w == null ? MemorySegment.NULL : w;
            MemorySegment panels = packedW == null ? MemorySegment.NULL : packedW;
            MemorySegment out = MemorySegment.ofArray(c).asSlice(4L * cOffset);
            Loaded.GEMM.invokeExact(packed, (long) n, (long) depth, stored, panels, (long) r0, (long) r1, out,
                    (long) ldc);
        } catch (Throwable e) {
            throw new IllegalStateException("native bf16 product failed", e);
        }
    }

    /**
     * {@link #bf16Gemm} on a packed weight, each row t of the result (at {@code c[cOffset + t * ldc]}) multiplied by
     * {@code rowScale[t]}.
     */
    static void bf16GemmScaled(MemorySegment packed, int n, int depth, MemorySegment packedW, int r0, int r1,
                               float[] c, int cOffset, int ldc, float[] rowScale) {
        check();
        try {
            Loaded.GEMM_SCALED.invokeExact(packed, (long) n, (long) depth, packedW, (long) r0, (long) r1,
                    MemorySegment.ofArray(c).asSlice(4L * cOffset), (long) ldc, MemorySegment.ofArray(rowScale));
        } catch (Throwable e) {
            throw new IllegalStateException("native bf16 product failed", e);
        }
    }

    /**
     * Decoding: {@code out[t * ldo + r] = sum_k x[t][k] * w[r][k]} in float32 for {@code n} tokens and rows
     * [r0, r1) of the stored bf16 weight {@code w} [rows, depth]; {@code xs} is x as {@link Gemv#deinterleave}
     * lays it out with 16-lane vectors.
     */
    static void bf16Gemv(float[] xs, int n, int depth, MemorySegment w, int r0, int r1, float[] out, int ldo) {
        checkDecode();
        try {
            Loaded.GEMV.invokeExact(MemorySegment.ofArray(xs), (long) n, (long) depth, w, (long) r0, (long) r1,
                    MemorySegment.ofArray(out), (long) ldo);
        } catch (Throwable e) {
            throw new IllegalStateException("native bf16 decoding product failed", e);
        }
    }

    /**
     * Decoding with bf16 activations: {@code out[t * ldo + r] = sum_k xb[t][k] * w[r][k]} for {@code n} tokens
     * ({@code xb} [n, depth], already rounded to bf16) and rows [r0, r1) of the stored bf16 weight {@code w}.
     */
    static void bf16DotGemv(short[] xb, int n, int depth, MemorySegment w, int r0, int r1, float[] out, int ldo) {
        check();
        try {
            Loaded.DOT_GEMV.invokeExact(MemorySegment.ofArray(xb), (long) n, (long) depth, w, (long) r0, (long) r1,
                    MemorySegment.ofArray(out), (long) ldo);
        } catch (Throwable e) {
            throw new IllegalStateException("native bf16 dot-product decoding failed", e);
        }
    }

    /**
     * Decoding {@code n} tokens against rows [r0, r1) of a 4-bit weight: {@code xq} is each token's x in the
     * kernel's order ({@link NativeDecoding#fourBitActivations}), {@code scales} the decoded block scales of those
     * rows only; {@code out[t * ldo + r]}.
     */
    static void fourBitGemv(float[] xq, int n, int cols, MemorySegment packed, float[] scales, int blocksize,
                            float[] table, int r0, int r1, float[] out, int ldo) {
        checkDecode();
        fourBit(Loaded.Q4_GEMV, xq, n, cols, packed, scales, blocksize, table, r0, r1, out, ldo);
    }

    /** {@link #fourBitGemv} with AVX2 and FMA, on activations in its 8-lane order. */
    static void fourBitGemvAvx2(float[] xq, int n, int cols, MemorySegment packed, float[] scales, int blocksize,
                                float[] table, int r0, int r1, float[] out, int ldo) {
        checkAvx2();
        fourBit(Loaded.Q4_AVX2_GEMV, xq, n, cols, packed, scales, blocksize, table, r0, r1, out, ldo);
    }

    private static void fourBit(MethodHandle kernel, float[] xq, int n, int cols, MemorySegment packed,
                                float[] scales, int blocksize, float[] table, int r0, int r1, float[] out, int ldo) {
        try {
            kernel.invokeExact(MemorySegment.ofArray(xq), (long) n, (long) cols, packed,
                    MemorySegment.ofArray(scales), (long) blocksize, MemorySegment.ofArray(table), (long) r0,
                    (long) r1, MemorySegment.ofArray(out), (long) ldo);
        } catch (Throwable e) {
            throw new IllegalStateException("native 4-bit decoding product failed", e);
        }
    }

    /**
     * Decoding {@code n} tokens (rows of x) against rows [r0, r1) of an int8 weight [rows, cols] with one scale per
     * row: {@code out[t * ldo + r]}.
     */
    static void int8Gemv(float[] x, int n, int cols, MemorySegment q, float[] rowScale, int r0, int r1, float[] out,
                         int ldo) {
        checkDecode();
        int8(Loaded.I8_GEMV, x, n, cols, q, rowScale, r0, r1, out, ldo);
    }

    /** {@link #int8Gemv} with AVX2 and FMA. */
    static void int8GemvAvx2(float[] x, int n, int cols, MemorySegment q, float[] rowScale, int r0, int r1,
                             float[] out, int ldo) {
        checkAvx2();
        int8(Loaded.I8_AVX2_GEMV, x, n, cols, q, rowScale, r0, r1, out, ldo);
    }

    private static void int8(MethodHandle kernel, float[] x, int n, int cols, MemorySegment q, float[] rowScale,
                             int r0, int r1, float[] out, int ldo) {
        try {
            kernel.invokeExact(MemorySegment.ofArray(x), (long) n, (long) cols, q,
                    MemorySegment.ofArray(rowScale), (long) r0, (long) r1, MemorySegment.ofArray(out), (long) ldo);
        } catch (Throwable e) {
            throw new IllegalStateException("native int8 decoding product failed", e);
        }
    }

    /** {@code dst} gets {@code src[0 .. n)} rounded to bf16 (nearest even). */
    static void floatsToBf16(float[] src, int n, MemorySegment dst) {
        check();
        try {
            Loaded.TO_BF16.invokeExact(MemorySegment.ofArray(src), (long) n, dst);
        } catch (Throwable e) {
            throw new IllegalStateException("native bf16 rounding failed", e);
        }
    }

    /** Bytes a [rows, depth] weight takes in the kernel's panel layout. */
    static long packedWeightBytes(int rows, int depth) {
        check();
        try {
            return 4 * (long) Loaded.PACKED_WORDS.invokeExact((long) rows, (long) depth);
        } catch (Throwable e) {
            throw new IllegalStateException("native packed size failed", e);
        }
    }

    /**
     * {@code rows} rows of {@code depth} floats ({@code a[aOffset + r * lda + k]}) rounded to bf16 into {@code out}
     * (64-byte aligned, {@link #packedWeightBytes}(rows, depth)) as the weight [rows, depth] in the panel layout.
     */
    static void packFloatRows(float[] a, int aOffset, int lda, int rows, int depth, MemorySegment out) {
        check();
        try {
            Loaded.PACK_FLOAT_ROWS.invokeExact(MemorySegment.ofArray(a).asSlice(4L * aOffset), (long) lda,
                    (long) rows, (long) depth, out);
        } catch (Throwable e) {
            throw new IllegalStateException("native packing of float rows failed", e);
        }
    }

    /**
     * The transpose of {@code depth} rows of {@code width} floats ({@code a[aOffset + k * lda + j]}) rounded to
     * bf16 into {@code out} (64-byte aligned, {@link #packedWeightBytes}(width, depth)) as the weight [width, depth]
     * in the panel layout.
     */
    static void packFloatColumns(float[] a, int aOffset, int lda, int depth, int width, MemorySegment out) {
        check();
        try {
            Loaded.PACK_FLOAT_COLUMNS.invokeExact(MemorySegment.ofArray(a).asSlice(4L * aOffset), (long) lda,
                    (long) depth, (long) width, out);
        } catch (Throwable e) {
            throw new IllegalStateException("native packing of float columns failed", e);
        }
    }

    /**
     * Attention weights from {@code n} rows of raw scores ({@code s[i * lds + j]}, {@code nk} keys), packed as
     * {@link #packActivations} packs activations: {@code exp(scale·s + bias - max)} for keys below the row's limit
     * ({@code keyLimit[limitOffset + i]}; null: all), 0 for the rest and for keys whose {@code bias} is -infinity
     * (null: none), rounded to bf16; {@code norms[i]} gets 1 / each row's sum before rounding (0 for none), the
     * row scales of {@link #bf16GemmScaled}. A row that sees no key weighs each key below its limit 1.
     */
    static void softmaxPack(float[] s, int n, int nk, int lds, float scale, float[] bias, int[] keyLimit,
                            int limitOffset, MemorySegment out, float[] norms) {
        check();
        try {
            MemorySegment b = bias == null ? MemorySegment.NULL : MemorySegment.ofArray(bias);
            MemorySegment limits = keyLimit == null ? MemorySegment.NULL
                    : MemorySegment.ofArray(keyLimit).asSlice(4L * limitOffset);
            Loaded.SOFTMAX_PACK.invokeExact(MemorySegment.ofArray(s), (long) n, (long) nk, (long) lds, scale, b,
                    limits, out, MemorySegment.ofArray(norms));
        } catch (Throwable e) {
            throw new IllegalStateException("native attention weights failed", e);
        }
    }

    /** Packs rows [r0, r1) (r0 a multiple of 32) of the bf16 weight {@code w} into {@code out}'s panel layout. */
    static void packWeights(MemorySegment w, int rows, int depth, MemorySegment out, int r0, int r1) {
        check();
        try {
            Loaded.PACK_WEIGHTS.invokeExact(w, (long) rows, (long) depth, out, (long) r0, (long) r1);
        } catch (Throwable e) {
            throw new IllegalStateException("native weight packing failed", e);
        }
    }
}
