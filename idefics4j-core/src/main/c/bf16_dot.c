/*
 * idefics4j's optional native kernel: matrix products through the CPU's bf16 dot-product instruction
 * (AVX512_BF16 vdpbf16ps), which the Java Vector API cannot reach. It multiplies float activations, rounded to
 * bf16 as PyTorch's bf16 inference holds them, by bf16 weights stored [rows, depth], accumulating in float32.
 * Each 32-bit lane holds two consecutive depth elements of one weight row (the stored layout already pairs them),
 * so a panel of 32 rows is a transpose of 32-bit words, and one instruction does 32 multiply-adds per vector.
 *
 * It also holds the float32 decoding kernels that need a prefetch instruction: bf16 weights against a few tokens,
 * 4-bit and int8 weights against a few (below).
 *
 * Built by Maven when gcc is present (see idefics4j-core/pom.xml); loaded through java.lang.foreign by
 * dev.idefics4j.tensor.NativeKernels. Threads are Java's: each call computes a range of weight rows.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

/* Weight rows per panel: two vectors of 16 float lanes. */
#define NR 32
/* Tokens per micro-kernel: 2 x 12 accumulators, two weight vectors and a broadcast fit the 32 registers. */
#define MR 12
/* Depth pairs per panel block: 32 rows x 256 pairs x 4 bytes = 32 KiB, held in L1/L2 while the tokens stream by. */
#define KCP 256

#define KERNEL_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))
/* The float32 decoding kernels (bf16, 4-bit and int8 weights) need AVX512F only. */
#define DECODE_TARGET __attribute__((target("avx512f")))

/* The first `count` of 16 lanes (none when count <= 0, all when count >= 16). */
static inline __mmask16 lane_mask(int64_t count) {
    return (__mmask16) (count >= 16 ? 0xffff : count <= 0 ? 0 : (1u << count) - 1);
}

int i4j_abi_version(void) { return 13; }

int i4j_tokens_per_tile(void) { return MR; }

/* 1 when this CPU executes AVX512_BF16 instructions. */
int i4j_bf16_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512bf16");
}

/* 1 when this CPU executes AVX512F instructions (the float32 decoding kernels). */
int i4j_avx512_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
}

/* 1 when this CPU executes AVX2 and FMA instructions (the float32 decoding kernel for other CPUs, below). */
int i4j_avx2_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* panel[k * NR + j] = pair kb + k of weight row r0 + j (zero for j >= width and past the depth): any depth. */
static void pack_panel_scalar(const uint16_t *w, int64_t depth, int64_t r0, int width, int64_t kb, int64_t kc,
                              uint32_t *panel) {
    for (int j = 0; j < NR; j++) {
        if (j >= width) {
            for (int64_t k = 0; k < kc; k++) {
                panel[k * NR + j] = 0;
            }
            continue;
        }
        const uint16_t *row = w + (r0 + j) * depth;
        for (int64_t k = 0; k < kc; k++) {
            int64_t e = 2 * (kb + k);
            uint32_t lo = row[e];
            uint32_t hi = e + 1 < depth ? row[e + 1] : 0;
            panel[k * NR + j] = lo | (hi << 16);
        }
    }
}

/* Transposes a 16 x 16 block of 32-bit words held in r[0..16) in place (row i, word c -> row c, word i). */
KERNEL_TARGET
static inline void transpose16(__m512i r[16]) {
    __m512i t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    /* Each 128-bit block now holds a 4 x 4 transpose: u[4g + s] has word s of each 4-word block of rows 4g..4g+3. */
    __m512i u[16];
    for (int g = 0; g < 4; g++) {
        u[4 * g] = _mm512_unpacklo_epi64(t[4 * g], t[4 * g + 2]);
        u[4 * g + 1] = _mm512_unpackhi_epi64(t[4 * g], t[4 * g + 2]);
        u[4 * g + 2] = _mm512_unpacklo_epi64(t[4 * g + 1], t[4 * g + 3]);
        u[4 * g + 3] = _mm512_unpackhi_epi64(t[4 * g + 1], t[4 * g + 3]);
    }
    /* Gather block q of u[s], u[4 + s], u[8 + s], u[12 + s] into word column 4q + s. */
    for (int s = 0; s < 4; s++) {
        __m512i x = _mm512_shuffle_i32x4(u[s], u[4 + s], 0x44);
        __m512i y = _mm512_shuffle_i32x4(u[s], u[4 + s], 0xEE);
        __m512i x2 = _mm512_shuffle_i32x4(u[8 + s], u[12 + s], 0x44);
        __m512i y2 = _mm512_shuffle_i32x4(u[8 + s], u[12 + s], 0xEE);
        r[s] = _mm512_shuffle_i32x4(x, x2, 0x88);
        r[4 + s] = _mm512_shuffle_i32x4(x, x2, 0xDD);
        r[8 + s] = _mm512_shuffle_i32x4(y, y2, 0x88);
        r[12 + s] = _mm512_shuffle_i32x4(y, y2, 0xDD);
    }
}

/*
 * r[c] = word c of the first `rows` (up to 16) rows from `first` (row i at first + i * lda), as bf16 pairs: 32
 * floats of a row (`left` of them valid) become 16 pairs in one conversion (round to nearest even), and a register
 * transpose turns the rows into columns (zero past the rows and past `left`).
 */
KERNEL_TARGET
static inline void pairs_transposed(const float *first, int64_t lda, int rows, int64_t left, __m512i r[16]) {
    __mmask16 mlo = lane_mask(left);
    __mmask16 mhi = lane_mask(left - 16);
    for (int i = 0; i < 16; i++) {
        if (i < rows) {
            const float *row = first + i * lda;
            r[i] = (__m512i) _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(mhi, row + 16), _mm512_maskz_loadu_ps(mlo, row));
        } else {
            r[i] = _mm512_setzero_si512();
        }
    }
    transpose16(r);
}

/*
 * Activations a[t][k] (row t at a + t * lda, depth values) as bf16 pairs for tiles [tile0, tile1):
 * out[(tile * kpairs + kp) * MR + i] holds (a[tile * MR + i][2kp], a[..][2kp + 1]), zero past n or depth, through
 * pairs_transposed (the scalar loop took a tenth as long as the product).
 */
KERNEL_TARGET
void i4j_pack_activations(const float *a, int64_t n, int64_t lda, int64_t depth, uint32_t *out,
                          int64_t tile0, int64_t tile1) {
    int64_t kpairs = (depth + 1) / 2;
    for (int64_t tile = tile0; tile < tile1; tile++) {
        uint32_t *o = out + tile * kpairs * MR;
        int rows = (int) (n - tile * MR < MR ? n - tile * MR : MR);
        for (int64_t kp0 = 0; kp0 < kpairs; kp0 += 16) {
            int cols = (int) (kpairs - kp0 < 16 ? kpairs - kp0 : 16);
            __m512i r[16];
            pairs_transposed(a + tile * MR * lda + 2 * kp0, lda, rows, depth - 2 * kp0, r);
            for (int c = 0; c < cols; c++) {
                _mm512_mask_storeu_epi32(o + (kp0 + c) * MR, (__mmask16) ((1u << MR) - 1), r[c]);
            }
        }
    }
}

/*
 * pack_panel_scalar for an even depth, 16 rows x 16 words at a time through a register transpose: the scalar
 * loop was a large share of a ViT-shaped product. Masked loads stop at the end of the depth block, so no word past
 * a row is read.
 */
KERNEL_TARGET
static void pack_panel(const uint16_t *w, int64_t depth, int64_t r0, int width, int64_t kb, int64_t kc,
                       uint32_t *panel) {
    if (depth % 2 != 0) {
        pack_panel_scalar(w, depth, r0, width, kb, kc, panel);
        return;
    }
    for (int j0 = 0; j0 < NR; j0 += 16) {
        for (int64_t k0 = 0; k0 < kc; k0 += 16) {
            int cols = (int) (kc - k0 < 16 ? kc - k0 : 16);
            __mmask16 m = lane_mask(cols);
            __m512i r[16];
            for (int i = 0; i < 16; i++) {
                r[i] = j0 + i < width
                        ? _mm512_maskz_loadu_epi32(m, (const uint32_t *) (w + (r0 + j0 + i) * depth) + kb + k0)
                        : _mm512_setzero_si512();
            }
            transpose16(r);
            for (int c = 0; c < cols; c++) {
                _mm512_store_si512(panel + (k0 + c) * NR + j0, r[c]);
            }
        }
    }
}

/*
 * c[i][0..width) (+)= tile x panel for the first `tokens` of MR packed tokens; c row i at c + i * ldc, times
 * scale[i] when scale is not NULL. Rows past `tokens` are computed on zero activations and dropped.
 */
KERNEL_TARGET
static void kernel(const uint32_t *a, const uint32_t *panel, int64_t kc, float *c, int64_t ldc, int tokens,
                   __mmask16 m0, __mmask16 m1, int accumulate, const float *scale) {
    __m512 acc[MR][2];
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
        if (accumulate && i < tokens) {
            acc[i][0] = _mm512_maskz_loadu_ps(m0, c + i * ldc);
            acc[i][1] = _mm512_maskz_loadu_ps(m1, c + i * ldc + 16);
        } else {
            acc[i][0] = _mm512_setzero_ps();
            acc[i][1] = _mm512_setzero_ps();
        }
    }
    for (int64_t k = 0; k < kc; k++) {
        __m512bh w0 = (__m512bh) _mm512_load_si512(panel + k * NR);
        __m512bh w1 = (__m512bh) _mm512_load_si512(panel + k * NR + 16);
        const uint32_t *x = a + k * MR;
#pragma GCC unroll 12
        for (int i = 0; i < MR; i++) {
            __m512bh v = (__m512bh) _mm512_set1_epi32((int) x[i]);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], w0, v);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], w1, v);
        }
    }
    if (scale != NULL) {
        for (int i = 0; i < tokens; i++) {
            __m512 f = _mm512_set1_ps(scale[i]);
            acc[i][0] = _mm512_mul_ps(acc[i][0], f);
            acc[i][1] = _mm512_mul_ps(acc[i][1], f);
        }
    }
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
        if (i < tokens) {
            _mm512_mask_storeu_ps(c + i * ldc, m0, acc[i][0]);
            _mm512_mask_storeu_ps(c + i * ldc + 16, m1, acc[i][1]);
        }
    }
}

/* dst[i] = bf16(src[i]) for i < n, rounded to nearest even (weights decoded from a quantized form). */
KERNEL_TARGET
void i4j_floats_to_bf16(const float *src, int64_t n, uint16_t *dst) {
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(src + i + 16), _mm512_loadu_ps(src + i));
        _mm512_storeu_si512(dst + i, (__m512i) v);
    }
    if (i < n) {
        int64_t left = n - i;
        __m512bh v = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(lane_mask(left - 16), src + i + 16),
                                         _mm512_maskz_loadu_ps(lane_mask(left), src + i));
        _mm512_mask_storeu_epi16(dst + i, (__mmask32) ((1ull << left) - 1), (__m512i) v);
    }
}

/* Words one weight of `rows` x `depth` takes packed: whole panels of NR rows, each kpairs x NR words. */
int64_t i4j_packed_weight_words(int64_t rows, int64_t depth) {
    return (rows + NR - 1) / NR * ((depth + 1) / 2) * NR;
}

/*
 * The panels of rows [r0, r1) (r0 a multiple of NR) in the layout the kernel reads, packed once: panel p, depth
 * block kb (pairs) starts at word p * kpairs * NR + kb * NR and holds what pack_panel would produce for it.
 */
KERNEL_TARGET
void i4j_pack_weights(const uint16_t *w, int64_t rows, int64_t depth, uint32_t *out, int64_t r0, int64_t r1) {
    int64_t kpairs = (depth + 1) / 2;
    for (int64_t p0 = r0; p0 < r1; p0 += NR) {
        int width = (int) (rows - p0 < NR ? rows - p0 : NR);
        for (int64_t kb = 0; kb < kpairs; kb += KCP) {
            int64_t kc = kpairs - kb < KCP ? kpairs - kb : KCP;
            pack_panel(w, depth, p0, width, kb, kc, out + p0 / NR * kpairs * NR + kb * NR);
        }
    }
}

/*
 * c[t][r] = sum_k bf16(a[t][k]) * W[r][k] for every token t < n and weight rows r in [r0, r1); row t of c at
 * c + t * ldc, times row_scale[t] when row_scale is not NULL. apack comes from i4j_pack_activations over all
 * tiles. W is either `w`, [rows, depth] bf16 as stored, whose panels are packed here as they are needed, or (w NULL)
 * `packed` from i4j_pack_weights, in which case r0 must be a multiple of NR. Overwrites c.
 */
KERNEL_TARGET
static void gemm(const uint32_t *apack, int64_t n, int64_t depth, const uint16_t *w, const uint32_t *packed,
                 int64_t r0, int64_t r1, float *c, int64_t ldc, const float *row_scale) {
    static __thread uint32_t scratch[KCP * NR] __attribute__((aligned(64)));
    int64_t kpairs = (depth + 1) / 2;
    int64_t tiles = (n + MR - 1) / MR;
    for (int64_t p0 = r0; p0 < r1; p0 += NR) {
        int width = (int) (r1 - p0 < NR ? r1 - p0 : NR);
        __mmask16 m0 = lane_mask(width);
        __mmask16 m1 = lane_mask(width - 16);
        for (int64_t kb = 0; kb < kpairs; kb += KCP) {
            int64_t kc = kpairs - kb < KCP ? kpairs - kb : KCP;
            const uint32_t *panel;
            if (w != NULL) {
                pack_panel(w, depth, p0, width, kb, kc, scratch);
                panel = scratch;
            } else {
                panel = packed + p0 / NR * kpairs * NR + kb * NR;
            }
            for (int64_t tile = 0; tile < tiles; tile++) {
                int64_t t0 = tile * MR;
                int tokens = (int) (n - t0 < MR ? n - t0 : MR);
                const float *scale = row_scale != NULL && kb + kc == kpairs ? row_scale + t0 : NULL;
                kernel(apack + (tile * kpairs + kb) * MR, panel, kc, c + t0 * ldc + p0, ldc, tokens, m0, m1,
                       kb > 0, scale);
            }
        }
    }
}

KERNEL_TARGET
void i4j_bf16_gemm(const uint32_t *apack, int64_t n, int64_t depth, const uint16_t *w, const uint32_t *packed,
                   int64_t r0, int64_t r1, float *c, int64_t ldc) {
    gemm(apack, n, depth, w, packed, r0, r1, c, ldc, NULL);
}

/* i4j_bf16_gemm on a packed weight with each row t of the result times row_scale[t] (attention's 1 / sum). */
KERNEL_TARGET
void i4j_bf16_gemm_scaled(const uint32_t *apack, int64_t n, int64_t depth, const uint32_t *packed, int64_t r0,
                          int64_t r1, float *c, int64_t ldc, const float *row_scale) {
    gemm(apack, n, depth, NULL, packed, r0, r1, c, ldc, row_scale);
}

/*
 * Attention's operands as packed weights for i4j_bf16_gemm (the layout i4j_pack_weights writes), rounded from
 * float32 to bf16 (nearest even), so that one head's products run on the dot-product instruction: its keys and
 * values are packed once and serve all its queries.
 * - i4j_pack_float_rows: a [rows, depth] (row r at a + r * lda) as the weight [rows, depth]: the keys of a head,
 *   whose scores q.k are then products of the queries by the keys as weight rows.
 * - i4j_pack_float_columns: the transpose of a [depth, width] (row k at a + k * lda) as the weight [width, depth]:
 *   the values of a head, whose output e.v takes each value dimension as a weight row over the keys.
 * `out` is 64-byte aligned and holds i4j_packed_weight_words of the weight's shape.
 */
KERNEL_TARGET
void i4j_pack_float_rows(const float *a, int64_t lda, int64_t rows, int64_t depth, uint32_t *out) {
    int64_t kpairs = (depth + 1) / 2;
    for (int64_t p0 = 0; p0 < rows; p0 += NR) {
        uint32_t *panel = out + p0 / NR * kpairs * NR;
        for (int j0 = 0; j0 < NR; j0 += 16) {
            int valid = (int) (rows - p0 - j0 < 16 ? rows - p0 - j0 : 16);
            for (int64_t kp0 = 0; kp0 < kpairs; kp0 += 16) {
                int cols = (int) (kpairs - kp0 < 16 ? kpairs - kp0 : 16);
                __m512i r[16];
                pairs_transposed(a + (p0 + j0) * lda + 2 * kp0, lda, valid, depth - 2 * kp0, r);
                for (int c = 0; c < cols; c++) {
                    _mm512_store_si512(panel + (kp0 + c) * NR + j0, r[c]);
                }
            }
        }
    }
}

KERNEL_TARGET
void i4j_pack_float_columns(const float *a, int64_t lda, int64_t depth, int64_t width, uint32_t *out) {
    int64_t kpairs = (depth + 1) / 2;
    /* cvtne2ps_pbh puts the even key's 16 values in elements 0-15 and the odd key's in 16-31; word j pairs j, 16+j. */
    __m512i pairs = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                     23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    for (int64_t p0 = 0; p0 < width; p0 += NR) {
        uint32_t *panel = out + p0 / NR * kpairs * NR;
        for (int h = 0; h < NR; h += 16) {
            __mmask16 m = lane_mask(width - p0 - h);
            for (int64_t kp = 0; kp < kpairs; kp++) {
                const float *even = a + 2 * kp * lda + p0 + h;
                __m512 lo = _mm512_maskz_loadu_ps(m, even);
                __m512 hi = 2 * kp + 1 < depth ? _mm512_maskz_loadu_ps(m, even + lda) : _mm512_setzero_ps();
                __m512i both = (__m512i) _mm512_cvtne2ps_pbh(hi, lo);
                _mm512_store_si512(panel + kp * NR + h, _mm512_permutexvar_epi16(pairs, both));
            }
        }
    }
}

/*
 * 2^y for y <= 0 (attention weights, rounded to bf16 afterwards): y = m + r with m an integer and |r| <= 1/2, 2^r by
 * the Taylor polynomial of e^(r ln 2) of degree 5 (relative error below 4e-6, far under bf16's 2^-9), 2^m applied
 * by vscalefps, only in the lanes of `keep` (0 elsewhere, where y may be -infinity).
 */
KERNEL_TARGET
static inline __m512 exp2_nonpositive(__mmask16 keep, __m512 y) {
    __m512 m = _mm512_roundscale_ps(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_sub_ps(y, m);
    __m512 p = _mm512_set1_ps(1.3333558146428443e-3f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(9.6181291076284772e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.5504108664821580e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.24022650695910071f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.69314718055994531f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_maskz_scalef_ps(keep, p, m);
}

/*
 * Attention weights as activations of i4j_bf16_gemm, in one pass over the scores: rows [0, n) of s (row i at
 * s + i * lds, raw dot products of nk keys) become e[i][j] = exp(scale * s[i][j] + bias[j] - max_i) for keys
 * j < limits[i], 0 past the limit and for masked keys (bias -infinity), rounded to bf16 and laid out as
 * i4j_pack_activations lays out activations; norms[i] gets 1 / the sum of the unrounded e[i][.] (0 for none), by
 * which i4j_bf16_gemm_scaled multiplies row i of the product (the softmax's normalisation, applied to dim values
 * instead of nk weights). A row
 * that sees no key gets e = 1 for every j < limits[i] (the float32 path's plain average). bias and limits may be
 * NULL (no masked keys; every limit nk).
 */
KERNEL_TARGET
void i4j_softmax_pack(const float *s, int64_t n, int64_t nk, int64_t lds, float scale, const float *bias,
                      const int32_t *limits, uint32_t *out, float *norms) {
    int64_t kpairs = (nk + 1) / 2;
    __m512 vscale = _mm512_set1_ps(scale);
    /* In base 2: y = (scale * s + bias - max) * log2(e), so each weight is one exp2_nonpositive. */
    __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
    __m512 yscale = _mm512_mul_ps(vscale, log2e);
    /* Weights below 2^-126 are dropped: nothing a bf16 product of attention could carry. */
    __m512 floor = _mm512_set1_ps(-126.0f);
    for (int64_t tile = 0; tile * MR < n; tile++) {
        int tokens = (int) (n - tile * MR < MR ? n - tile * MR : MR);
        const float *row[MR];
        int64_t limit[MR];
        __m512 shift[MR];
        int uniform[MR];
        __m512 sum[MR];
        for (int i = 0; i < MR; i++) {
            int64_t t = tile * MR + (i < tokens ? i : 0);
            row[i] = s + t * lds;
            limit[i] = limits == NULL ? nk : limits[t] < 0 ? 0 : limits[t] > nk ? nk : limits[t];
            __m512 top = _mm512_set1_ps(-__builtin_inff());
            for (int64_t j = 0; j < limit[i]; j += 16) {
                __mmask16 m = lane_mask(limit[i] - j);
                __m512 x = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row[i] + j), vscale);
                if (bias != NULL) {
                    x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, bias + j));
                }
                top = _mm512_mask_max_ps(top, m, top, x);
            }
            float best = _mm512_reduce_max_ps(top);
            uniform[i] = best == -__builtin_inff();
            shift[i] = _mm512_set1_ps(uniform[i] ? 0.0f : -best * 1.44269504088896341f);
            sum[i] = _mm512_setzero_ps();
        }
        uint32_t *o = out + tile * kpairs * MR;
        for (int64_t kp0 = 0; kp0 < kpairs; kp0 += 16) {
            int cols = (int) (kpairs - kp0 < 16 ? kpairs - kp0 : 16);
            int64_t j = 2 * kp0;
            __m512i r[16];
            for (int i = 0; i < 16; i++) {
                if (i >= tokens) {
                    r[i] = _mm512_setzero_si512();
                    continue;
                }
                __m512 half[2];
                for (int h = 0; h < 2; h++) {
                    __mmask16 m = lane_mask(limit[i] - j - 16 * h);
                    __m512 e;
                    if (uniform[i]) {
                        e = _mm512_maskz_mov_ps(m, _mm512_set1_ps(1.0f));
                    } else {
                        __m512 y = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, row[i] + j + 16 * h), yscale, shift[i]);
                        if (bias != NULL) {
                            y = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, bias + j + 16 * h), log2e, y);
                        }
                        e = exp2_nonpositive(m & _mm512_cmp_ps_mask(y, floor, _CMP_GT_OQ), y);
                    }
                    sum[i] = _mm512_add_ps(sum[i], e);
                    half[h] = e;
                }
                r[i] = (__m512i) _mm512_cvtne2ps_pbh(half[1], half[0]);
            }
            transpose16(r);
            for (int c = 0; c < cols; c++) {
                _mm512_mask_storeu_epi32(o + (kp0 + c) * MR, (__mmask16) ((1u << MR) - 1), r[c]);
            }
        }
        for (int i = 0; i < tokens; i++) {
            float total = _mm512_reduce_add_ps(sum[i]);
            norms[tile * MR + i] = total > 0 ? 1.0f / total : 0.0f;
        }
    }
}

/*
 * Decoding: out[t * ldo + r] = sum_k x[t][k] * w[r][k] for n (up to a few dozen) tokens and rows [r0, r1) of
 * bf16 weights, in one of two arithmetics:
 * - float32 (every bf16 format): activations as they are, weights widened in registers. A 32-bit lane holds two
 *   bf16: `lane << 16` is the even one, `lane & 0xFFFF0000` the odd one, so the caller passes the activations split
 *   into even and odd halves per 32-element block (xs: per block the 16 even elements, then the 16 odd ones; the
 *   depth % 32 tail as it is).
 * - bf16 dot products (the bf16-dot format): activations already rounded to bf16 (xb, [n, depth] as they lie).
 *   vdpbf16ps multiplies a 64-byte line of a weight row with the same 32 positions of a token (lane i takes the
 *   pair 2i, 2i + 1): one load and one instruction where float32 widens in two operations and takes two FMAs. The
 *   depth % 32 tail is one masked step. 11008x4096 on two threads: one token in 0.83-0.87 of the float32 time and
 *   eight in 0.78-0.86 in a C bench; in one JVM, alternating, one 0.96-0.98 and eight 0.80.
 *
 * A tile is five rows against up to four tokens: 20 accumulators, the tokens' activation vectors (8 or 4) and one
 * weight vector fit the 32 registers, each activation load serves five rows and each weight load four tokens.
 * More tokens take further passes over the same five rows, which are in cache by then. From cache the float32
 * tile reaches 0.85 of the FMA peak (a tile of four rows and two tokens, widening each row again for every pair of
 * tokens, reached 0.3); a batch of eight streams the weights at half the rate of one token instead of a quarter.
 * Each tile prefetches into L2 the same lines of the next three tiles of its range (GEMV_PREFETCH_TILES), which
 * the Java Vector API has no way to issue: the rows lie one after another, so these are the next 3 x 5 rows' bytes,
 * far enough ahead to cover the memory latency however short the rows (576 columns are 5.6 KiB a tile). Nothing
 * past the range's last row is fetched: another thread may be reading it.
 *
 * Every (row, token) sum takes the same order whatever the tile: one accumulator (float32: the even products then
 * the odd ones per block), so a sequence decodes the same alone or batched.
 */
#define GEMV_ROWS 5
#define GEMV_TOKENS 4
#define GEMV_PREFETCH_TILES 3

/* s plus the products of bf16 weights row[from..depth) with x[from..depth), one at a time in k order. */
static inline float add_tail(float s, const uint16_t *row, const float *x, int64_t from, int64_t depth) {
    for (int64_t k = from; k < depth; k++) {
        uint32_t bits = (uint32_t) row[k] << 16;
        float wk;
        memcpy(&wk, &bits, 4);
        s += wk * x[k];
    }
    return s;
}

/*
 * Where a tile prefetches: for each of the next GEMV_PREFETCH_TILES tiles, its first row if the whole tile lies
 * before r1, else the tile's own first row (lines already in cache, so the fetch costs nothing): no branch in the
 * loop, and nothing past the range, which another thread may be reading, is fetched. A single fetch a fixed
 * distance ahead leaves a tile of short rows (576 columns: 1.1 KiB) waiting on memory at every start
 * (docs/PERFORMANCE.md, "Decoding at small shapes").
 */
static inline void tile_ahead(const uint16_t *ahead[GEMV_PREFETCH_TILES], const uint16_t *w, int64_t depth, int64_t r,
                              int64_t r1) {
    for (int d = 0; d < GEMV_PREFETCH_TILES; d++) {
        int64_t first = r + (int64_t) (d + 1) * GEMV_ROWS;
        ahead[d] = w + (first + GEMV_ROWS <= r1 ? first : r) * depth;
    }
}

/* Prefetches into L2 the line at element k of row i of each tile in ahead (see tile_ahead). */
static inline __attribute__((always_inline)) void prefetch_ahead(const uint16_t *ahead[GEMV_PREFETCH_TILES], int i,
                                                                 int64_t k, int64_t depth) {
    for (int d = 0; d < GEMV_PREFETCH_TILES; d++) {
        _mm_prefetch((const char *) (ahead[d] + i * depth + k), _MM_HINT_T1);
    }
}

/* Row i of the block (tile) from r0: a partial block (past r1) repeats its last row, whose result is dropped. */
static inline int64_t block_row(int64_t r0, int i, int64_t r1) {
    return r0 + i < r1 ? r0 + i : r1 - 1;
}

/* The five rows' pointers of a tile from r (see block_row). */
static inline void tile_rows(const uint16_t *p[GEMV_ROWS], const uint16_t *w, int64_t depth, int64_t r, int64_t r1) {
    for (int i = 0; i < GEMV_ROWS; i++) {
        p[i] = w + block_row(r, i, r1) * depth;
    }
}

DECODE_TARGET
static inline __attribute__((always_inline)) void zero_tile(__m512 acc[GEMV_ROWS][GEMV_TOKENS], int tokens) {
    for (int i = 0; i < GEMV_ROWS; i++) {
        for (int t = 0; t < tokens; t++) {
            acc[i][t] = _mm512_setzero_ps();
        }
    }
}

/*
 * Five rows from r against `tokens` (1..4) tokens of split float32 activations xs (constant where inlined, so no
 * branch is left in the loop). AVX512F only: it also runs on AVX-512 CPUs without AVX512_BF16.
 */
DECODE_TARGET
static inline __attribute__((always_inline)) void gemv_tile(const uint16_t *w, int64_t depth, const float *xs,
                                                            int tokens, float *out, int64_t ldo, int64_t r,
                                                            int64_t r1) {
    const uint16_t *p[GEMV_ROWS];
    tile_rows(p, w, depth, r, r1);
    const uint16_t *ahead[GEMV_PREFETCH_TILES];
    tile_ahead(ahead, w, depth, r, r1);
    int64_t full = depth - depth % 32;
    __m512 acc[GEMV_ROWS][GEMV_TOKENS];
    zero_tile(acc, tokens);
    __m512i high = _mm512_set1_epi32((int) 0xffff0000u);
    for (int64_t k = 0; k < full; k += 32) {
        __m512 xe[GEMV_TOKENS], xo[GEMV_TOKENS];
        for (int t = 0; t < tokens; t++) {
            xe[t] = _mm512_loadu_ps(xs + t * depth + k);
            xo[t] = _mm512_loadu_ps(xs + t * depth + k + 16);
        }
        for (int i = 0; i < GEMV_ROWS; i++) {
            prefetch_ahead(ahead, i, k, depth);
            __m512i lanes = _mm512_loadu_si512(p[i] + k);
            __m512 even = _mm512_castsi512_ps(_mm512_slli_epi32(lanes, 16));
            __m512 odd = _mm512_castsi512_ps(_mm512_and_si512(lanes, high));
            for (int t = 0; t < tokens; t++) {
                acc[i][t] = _mm512_fmadd_ps(odd, xo[t], _mm512_fmadd_ps(even, xe[t], acc[i][t]));
            }
        }
    }
    for (int i = 0; i < GEMV_ROWS && r + i < r1; i++) {
        for (int t = 0; t < tokens; t++) {
            out[t * ldo + r + i] = add_tail(_mm512_reduce_add_ps(acc[i][t]), p[i], xs + t * depth, full, depth);
        }
    }
}

/* The same tile with bf16 activations xb and the dot-product instruction (the bf16-dot format). */
KERNEL_TARGET
static inline __attribute__((always_inline)) void gemv_dot_tile(const uint16_t *w, int64_t depth, const uint16_t *xb,
                                                                int tokens, float *out, int64_t ldo, int64_t r,
                                                                int64_t r1) {
    const uint16_t *p[GEMV_ROWS];
    tile_rows(p, w, depth, r, r1);
    const uint16_t *ahead[GEMV_PREFETCH_TILES];
    tile_ahead(ahead, w, depth, r, r1);
    int64_t full = depth - depth % 32;
    __m512 acc[GEMV_ROWS][GEMV_TOKENS];
    zero_tile(acc, tokens);
    for (int64_t k = 0; k < full; k += 32) {
        __m512bh xv[GEMV_TOKENS];
        for (int t = 0; t < tokens; t++) {
            xv[t] = (__m512bh) _mm512_loadu_si512(xb + t * depth + k);
        }
        for (int i = 0; i < GEMV_ROWS; i++) {
            prefetch_ahead(ahead, i, k, depth);
            __m512bh wv = (__m512bh) _mm512_loadu_si512(p[i] + k);
            for (int t = 0; t < tokens; t++) {
                acc[i][t] = _mm512_dpbf16_ps(acc[i][t], wv, xv[t]);
            }
        }
    }
    if (full < depth) {
        __mmask32 tail = (__mmask32) ((1ull << (depth - full)) - 1);
        __m512bh xv[GEMV_TOKENS];
        for (int t = 0; t < tokens; t++) {
            xv[t] = (__m512bh) _mm512_maskz_loadu_epi16(tail, xb + t * depth + full);
        }
        for (int i = 0; i < GEMV_ROWS; i++) {
            __m512bh wv = (__m512bh) _mm512_maskz_loadu_epi16(tail, p[i] + full);
            for (int t = 0; t < tokens; t++) {
                acc[i][t] = _mm512_dpbf16_ps(acc[i][t], wv, xv[t]);
            }
        }
    }
    for (int i = 0; i < GEMV_ROWS && r + i < r1; i++) {
        for (int t = 0; t < tokens; t++) {
            out[t * ldo + r + i] = _mm512_reduce_add_ps(acc[i][t]);
        }
    }
}

/*
 * Rows [r0, r1) against n tokens of x (ELEMENT per activation), TILE taking up to four at a time. Row tiles
 * outermost: the passes after the first find the five rows in cache.
 */
#define GEMV_ROWS_LOOP(TILE, ELEMENT)                                                                  \
    for (int64_t r = r0; r < r1; r += GEMV_ROWS) {                                                     \
        for (int64_t t = 0; t < n; t += GEMV_TOKENS) {                                                 \
            const ELEMENT *xt = x + t * depth;                                                         \
            float *o = out + t * ldo;                                                                  \
            switch (n - t) {                                                                           \
                case 1: TILE(w, depth, xt, 1, o, ldo, r, r1); break;                                   \
                case 2: TILE(w, depth, xt, 2, o, ldo, r, r1); break;                                   \
                case 3: TILE(w, depth, xt, 3, o, ldo, r, r1); break;                                   \
                default: TILE(w, depth, xt, 4, o, ldo, r, r1); break;                                  \
            }                                                                                          \
        }                                                                                              \
    }

DECODE_TARGET
void i4j_bf16_gemv(const float *x, int64_t n, int64_t depth, const uint16_t *w, int64_t r0, int64_t r1, float *out,
                   int64_t ldo) {
    GEMV_ROWS_LOOP(gemv_tile, float)
}

KERNEL_TARGET
void i4j_bf16_dot_gemv(const uint16_t *x, int64_t n, int64_t depth, const uint16_t *w, int64_t r0, int64_t r1,
                       float *out, int64_t ldo) {
    GEMV_ROWS_LOOP(gemv_dot_tile, uint16_t)
}

/*
 * Decoding a few tokens against a 4-bit blockwise weight (bitsandbytes' layout: byte m of a row holds element 2m in
 * its high nibble and 2m + 1 in its low one; one float scale per block of `blocksize` elements, a multiple of 64):
 * out[t * ldo + r] = sum_k table[code(r, k)] * scale(r, k) * x[t][k] for n tokens and rows [r0, r1).
 *
 * A step takes 128 elements of a row as one 64-byte vector of 16 int lanes. Nibble j of lane i (bits 4j..4j+3) is
 * element 8i + (j ^ 1) of the step, and vpermps looks a code up in the 16-entry table held in a register using the
 * low four bits of each index only, so each nibble costs one shift and one permute (no masking, no widening). The
 * caller lays x out to match (xq: per token, per step, for j = 0..7, the 16 elements 8i + (j ^ 1)). Lanes 0-7 are
 * the step's first 64 elements, lanes 8-15 the next 64: each half lies in one block. Each looked-up vector is
 * scaled once and serves every token of the tile. `scales` holds the blocks of rows [r0, r1) only.
 *
 * A tile is eight rows for one token, six for two, four for three or four (the accumulators, the rows' codes and
 * scales and the tokens' activations fit the 32 registers); more tokens take further passes over the same rows.
 * Eight rows for one token (each row's one accumulator is a chain of eight dependent FMAs a step, so more rows hide
 * the latency), measured faster than four rows with per-block partial sums.
 * Each (row, token) sum runs in the same order in every tile, so a sequence decodes the same alone or batched.
 */

/* The scales of a step's two halves: lanes 0-7 the block of its first 64 elements, lanes 8-15 of the next 64. */
DECODE_TARGET
static inline __m512 q4_scales(const float *s, int64_t k, int64_t blocksize) {
    return _mm512_mask_blend_ps((__mmask16) 0xff00, _mm512_set1_ps(s[k / blocksize]),
                                _mm512_set1_ps(s[(k + 64) / blocksize]));
}

/*
 * Quantized rows are short (2 KiB of 4-bit codes for 4096 columns), so the rows of a tile and the next tiles lie in
 * one contiguous stretch: prefetching each row 16 KiB ahead of its reads fetches the tiles to come, where 1 KiB
 * left one core well below a plain read's rate. The int8 kernel takes the same distance.
 */
#define QUANT_PREFETCH 16384
#define Q4_MAX_ROWS 8

/* The codes and block scales of a tile's rows from r (see block_row); `scales` holds rows [r0, ...) only. */
static inline void q4_rows(const uint8_t **p, const float **s, int rows, int64_t cols, const uint8_t *packed,
                           const float *scales, int64_t blocksize, int64_t r, int64_t r0, int64_t r1) {
    for (int i = 0; i < rows; i++) {
        int64_t ri = block_row(r, i, r1);
        p[i] = packed + ri * (cols / 2);
        s[i] = scales + (ri - r0) * (cols / blocksize);
    }
}

/* `rows` rows from r (see block_row) against `tokens` tokens from xq / out; both constants where inlined. */
DECODE_TARGET
static inline __attribute__((always_inline)) void q4_tile(const float *xq, int64_t cols, const uint8_t *packed,
                                                          const float *scales, int64_t blocksize, __m512 table,
                                                          int rows, int tokens, int64_t r, int64_t r0, int64_t r1,
                                                          float *out, int64_t ldo) {
    const uint8_t *p[Q4_MAX_ROWS];
    const float *s[Q4_MAX_ROWS];
    q4_rows(p, s, rows, cols, packed, scales, blocksize, r, r0, r1);
    __m512 acc[Q4_MAX_ROWS][GEMV_TOKENS];
    for (int i = 0; i < rows; i++) {
        for (int t = 0; t < tokens; t++) {
            acc[i][t] = _mm512_setzero_ps();
        }
    }
    for (int64_t k = 0; k < cols; k += 128) {
        int64_t kb = k / 2;
        __m512i codes[Q4_MAX_ROWS];
        __m512 scale[Q4_MAX_ROWS];
        for (int i = 0; i < rows; i++) {
            _mm_prefetch((const char *) (p[i] + kb) + QUANT_PREFETCH, _MM_HINT_T0);
            codes[i] = _mm512_loadu_si512(p[i] + kb);
            scale[i] = q4_scales(s[i], k, blocksize);
        }
        for (int j = 0; j < 8; j++) {
            __m512 xv[GEMV_TOKENS];
            for (int t = 0; t < tokens; t++) {
                xv[t] = _mm512_loadu_ps(xq + t * cols + k + 16 * j);
            }
            for (int i = 0; i < rows; i++) {
                __m512 w = _mm512_mul_ps(_mm512_permutexvar_ps(_mm512_srli_epi32(codes[i], 4 * j), table), scale[i]);
                for (int t = 0; t < tokens; t++) {
                    acc[i][t] = _mm512_fmadd_ps(w, xv[t], acc[i][t]);
                }
            }
        }
    }
    for (int i = 0; i < rows && r + i < r1; i++) {
        for (int t = 0; t < tokens; t++) {
            out[t * ldo + r + i] = _mm512_reduce_add_ps(acc[i][t]);
        }
    }
}

DECODE_TARGET
void i4j_q4_gemv(const float *xq, int64_t n, int64_t cols, const uint8_t *packed, const float *scales,
                 int64_t blocksize, const float *table16, int64_t r0, int64_t r1, float *out, int64_t ldo) {
    __m512 table = _mm512_loadu_ps(table16);
    if (n == 1) {
        for (int64_t r = r0; r < r1; r += 8) {
            q4_tile(xq, cols, packed, scales, blocksize, table, 8, 1, r, r0, r1, out, ldo);
        }
        return;
    }
    if (n == 2) {
        for (int64_t r = r0; r < r1; r += 6) {
            q4_tile(xq, cols, packed, scales, blocksize, table, 6, 2, r, r0, r1, out, ldo);
        }
        return;
    }
    for (int64_t r = r0; r < r1; r += 4) {
        for (int64_t t = 0; t < n; t += GEMV_TOKENS) {
            const float *x = xq + t * cols;
            float *o = out + t * ldo;
            switch (n - t) {
                case 1: q4_tile(x, cols, packed, scales, blocksize, table, 4, 1, r, r0, r1, o, ldo); break;
                case 2: q4_tile(x, cols, packed, scales, blocksize, table, 4, 2, r, r0, r1, o, ldo); break;
                case 3: q4_tile(x, cols, packed, scales, blocksize, table, 4, 3, r, r0, r1, o, ldo); break;
                default: q4_tile(x, cols, packed, scales, blocksize, table, 4, 4, r, r0, r1, o, ldo); break;
            }
        }
    }
}

/*
 * Decoding a few tokens against an int8 row-wise weight: out[t * ldo + r] = scale[r] * sum_k q[r][k] * x[t][k] for
 * n tokens and rows [r0, r1), the bytes widened to floats in registers (vpmovsxbd, vcvtdq2ps) 16 at a time. A tile
 * is six rows against up to four tokens (24 accumulators, four activation vectors, one widened row), four rows for
 * a lone token; more tokens take further passes over the rows, in cache by then. Rows are prefetched 16 KiB ahead,
 * as in the 4-bit kernel (4 KiB rows for 4096 columns); the cols % 16 tail is scalar. Measured on 11008x4096, two
 * threads, in one process against the Java kernel: eight tokens 0.46-0.48 of its time; one token took 1.18 times
 * as long with six rows as with four. Each (row, token) sum runs in k order in one accumulator, so a sequence
 * decodes the same alone or batched.
 */
#define INT8_MAX_ROWS 6

DECODE_TARGET
static inline __attribute__((always_inline)) void i8_step(const int8_t *const p[INT8_MAX_ROWS], const float *x,
                                                          int64_t cols, int rows, int tokens, int64_t k,
                                                          __m512 acc[INT8_MAX_ROWS][GEMV_TOKENS]) {
    __m512 xv[GEMV_TOKENS];
    for (int t = 0; t < tokens; t++) {
        xv[t] = _mm512_loadu_ps(x + t * cols + k);
    }
    for (int i = 0; i < rows; i++) {
        __m512 wv = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *) (p[i] + k))));
        for (int t = 0; t < tokens; t++) {
            acc[i][t] = _mm512_fmadd_ps(wv, xv[t], acc[i][t]);
        }
    }
}

/* `rows` rows from r (see block_row) against `tokens` tokens from x / out; both constants where inlined. */
DECODE_TARGET
static inline __attribute__((always_inline)) void i8_tile(const int8_t *q, int64_t cols, const float *x, int rows,
                                                          int tokens, const float *scale, float *out, int64_t ldo,
                                                          int64_t r, int64_t r1) {
    const int8_t *p[INT8_MAX_ROWS];
    for (int i = 0; i < rows; i++) {
        p[i] = q + block_row(r, i, r1) * cols;
    }
    __m512 acc[INT8_MAX_ROWS][GEMV_TOKENS];
    for (int i = 0; i < rows; i++) {
        for (int t = 0; t < tokens; t++) {
            acc[i][t] = _mm512_setzero_ps();
        }
    }
    int64_t lines = cols - cols % 64, full = cols - cols % 16, k = 0;
    for (; k < lines; k += 64) {
        for (int i = 0; i < rows; i++) {
            _mm_prefetch((const char *) (p[i] + k) + QUANT_PREFETCH, _MM_HINT_T0);
        }
        for (int s = 0; s < 64; s += 16) {
            i8_step(p, x, cols, rows, tokens, k + s, acc);
        }
    }
    for (; k < full; k += 16) {
        i8_step(p, x, cols, rows, tokens, k, acc);
    }
    for (int i = 0; i < rows && r + i < r1; i++) {
        for (int t = 0; t < tokens; t++) {
            float sum = _mm512_reduce_add_ps(acc[i][t]);
            for (int64_t j = full; j < cols; j++) {
                sum += (float) p[i][j] * x[t * cols + j];
            }
            out[t * ldo + r + i] = sum * scale[r + i];
        }
    }
}

DECODE_TARGET
void i4j_i8_gemv(const float *x, int64_t n, int64_t cols, const int8_t *q, const float *scale, int64_t r0,
                 int64_t r1, float *out, int64_t ldo) {
    if (n == 1) {
        for (int64_t r = r0; r < r1; r += 4) {
            i8_tile(q, cols, x, 4, 1, scale, out, ldo, r, r1);
        }
        return;
    }
    for (int64_t r = r0; r < r1; r += INT8_MAX_ROWS) {
        for (int64_t t = 0; t < n; t += GEMV_TOKENS) {
            const float *xt = x + t * cols;
            float *o = out + t * ldo;
            switch (n - t) {
                case 1: i8_tile(q, cols, xt, INT8_MAX_ROWS, 1, scale, o, ldo, r, r1); break;
                case 2: i8_tile(q, cols, xt, INT8_MAX_ROWS, 2, scale, o, ldo, r, r1); break;
                case 3: i8_tile(q, cols, xt, INT8_MAX_ROWS, 3, scale, o, ldo, r, r1); break;
                default: i8_tile(q, cols, xt, INT8_MAX_ROWS, 4, scale, o, ldo, r, r1); break;
            }
        }
    }
}

/*
 * Decoding a few tokens against bf16 weights on CPUs without AVX512_BF16 (AVX2 and FMA: most x86-64 machines of the
 * last decade), with the prefetch the Java kernels lack: out[t * ldo + r] = sum_k xs[t][k] * w[r][k] for n tokens
 * and rows [r0, r1), in float32, weights widened in registers. The activations come split per 16-element block
 * (the 8 even elements, then the 8 odd ones), as the 8-lane Java kernels split them: a 32-bit lane of the weight
 * holds an even element in its low half and the next odd one in its high half, so `lane << 16` and
 * `lane & 0xffff0000` are both already float32 bits.
 *
 * A tile is eight rows for one token, six for two, four for three and three for four (the accumulators, the
 * widened weights and a mask fit the 16 registers; activations are memory operands of the FMAs). Each (row, token)
 * sum is one accumulator fed in k order, even element before odd, then reduced and given the depth tail in one
 * fixed order, whatever the tile: a sequence decodes the same alone or batched. Rows are taken 24 at a time (every
 * tile height divides it), each group of four tokens passing over them while they are in L2.
 */
#define AVX2_TARGET __attribute__((target("avx2,fma")))
#define AVX2_BLOCK 24
#define AVX2_PREFETCH 2048

/* The eight lanes' sum in one order: halves, then pairs, then the last two. */
AVX2_TARGET
static inline float avx2_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/* `rows` rows from r (see block_row) against `tokens` tokens from xs / out; both constant where inlined. */
AVX2_TARGET
static inline __attribute__((always_inline)) void avx2_tile(const uint16_t *w, int64_t depth, const float *xs,
                                                            int rows, int tokens, float *out, int64_t ldo, int64_t r,
                                                            int64_t r1) {
    const uint16_t *p[8];
    for (int i = 0; i < rows; i++) {
        p[i] = w + block_row(r, i, r1) * depth;
    }
    int64_t full = depth - depth % 16;
    __m256 acc[8][4];
    for (int i = 0; i < rows; i++) {
        for (int t = 0; t < tokens; t++) {
            acc[i][t] = _mm256_setzero_ps();
        }
    }
    __m256i high = _mm256_set1_epi32((int) 0xffff0000u);
    for (int64_t k = 0; k < full; k += 16) {
        for (int i = 0; i < rows; i++) {
            _mm_prefetch((const char *) (p[i] + k) + AVX2_PREFETCH, _MM_HINT_T0);
            __m256i lanes = _mm256_loadu_si256((const __m256i *) (p[i] + k));
            __m256 even = _mm256_castsi256_ps(_mm256_slli_epi32(lanes, 16));
            __m256 odd = _mm256_castsi256_ps(_mm256_and_si256(lanes, high));
            for (int t = 0; t < tokens; t++) {
                const float *x = xs + t * depth + k;
                acc[i][t] = _mm256_fmadd_ps(odd, _mm256_loadu_ps(x + 8),
                                            _mm256_fmadd_ps(even, _mm256_loadu_ps(x), acc[i][t]));
            }
        }
    }
    for (int i = 0; i < rows && r + i < r1; i++) {
        for (int t = 0; t < tokens; t++) {
            out[t * ldo + r + i] = add_tail(avx2_sum(acc[i][t]), p[i], xs + t * depth, full, depth);
        }
    }
}

/* Rows [r, end) of one block against one group of `tokens` tokens, in tiles of the height that count takes. */
AVX2_TARGET
static inline __attribute__((always_inline)) void avx2_group(const uint16_t *w, int64_t depth, const float *xs,
                                                             int tokens, float *out, int64_t ldo, int64_t r,
                                                             int64_t end) {
    switch (tokens) {
        case 1: for (; r < end; r += 8) avx2_tile(w, depth, xs, 8, 1, out, ldo, r, end); break;
        case 2: for (; r < end; r += 6) avx2_tile(w, depth, xs, 6, 2, out, ldo, r, end); break;
        case 3: for (; r < end; r += 4) avx2_tile(w, depth, xs, 4, 3, out, ldo, r, end); break;
        default: for (; r < end; r += 3) avx2_tile(w, depth, xs, 3, 4, out, ldo, r, end); break;
    }
}

AVX2_TARGET
void i4j_bf16_gemv_avx2(const float *xs, int64_t n, int64_t depth, const uint16_t *w, int64_t r0, int64_t r1,
                        float *out, int64_t ldo) {
    for (int64_t r = r0; r < r1; r += AVX2_BLOCK) {
        int64_t end = r + AVX2_BLOCK < r1 ? r + AVX2_BLOCK : r1;
        for (int64_t t = 0; t < n; t += 4) {
            int tokens = n - t < 4 ? (int) (n - t) : 4;
            avx2_group(w, depth, xs + t * depth, tokens, out + t * ldo, ldo, r, end);
        }
    }
}

/*
 * Decoding a few tokens against a 4-bit blockwise weight on CPUs without AVX-512 (AVX2 and FMA), in i4j_q4_gemv's
 * bitsandbytes layout and arithmetic: out[t * ldo + r] = sum_k table[code(r, k)] * scale(r, k) * x[t][k].
 *
 * A step takes 64 elements of a row as one 32-byte vector of 8 int lanes; nibble j of lane i is element
 * 8i + (j ^ 1) of the step (xq laid out to match: per token, per step, for j = 0..7, the 8 elements 8i + (j ^ 1)).
 * vpermps reads the low three bits of an index, so a code is looked up in both halves of the 16-entry table and
 * the half chosen by its fourth bit, shifted into the sign for vblendvps. A step lies in one block (blocksize is a
 * multiple of 64), so one broadcast scale serves it. Tiles: four rows for one token, three for two, two for three
 * or four (the 16 registers; activations and scales are memory operands). Each (row, token) sum is one accumulator
 * fed in k order whatever the tile: a sequence decodes the same alone or batched.
 */
#define Q4_AVX2_MAX_ROWS 4
/* Rows the quantized AVX2 kernels take at a time: every tile height of both (4, 3, 2 and 6, 4, 3) divides it. */
#define AVX2_QUANT_BLOCK 12

AVX2_TARGET
static inline __attribute__((always_inline)) void q4_avx2_tile(const float *xq, int64_t cols, const uint8_t *packed,
                                                               const float *scales, int64_t blocksize, __m256 lo,
                                                               __m256 hi, int rows, int tokens, int64_t r, int64_t r0,
                                                               int64_t r1, float *out, int64_t ldo) {
    const uint8_t *p[Q4_AVX2_MAX_ROWS];
    const float *s[Q4_AVX2_MAX_ROWS];
    q4_rows(p, s, rows, cols, packed, scales, blocksize, r, r0, r1);
    __m256 acc[Q4_AVX2_MAX_ROWS][GEMV_TOKENS];
    for (int i = 0; i < rows; i++) {
        for (int t = 0; t < tokens; t++) {
            acc[i][t] = _mm256_setzero_ps();
        }
    }
    for (int64_t k = 0; k < cols; k += 64) {
        for (int i = 0; i < rows; i++) {
            _mm_prefetch((const char *) (p[i] + k / 2) + QUANT_PREFETCH, _MM_HINT_T0);
        }
        for (int j = 0; j < 8; j++) {
            for (int i = 0; i < rows; i++) {
                __m256i codes = _mm256_loadu_si256((const __m256i *) (p[i] + k / 2));
                __m256i index = _mm256_srli_epi32(codes, 4 * j);
                __m256 fourth = _mm256_castsi256_ps(_mm256_slli_epi32(codes, 28 - 4 * j));
                __m256 w = _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, index),
                                            _mm256_permutevar8x32_ps(hi, index), fourth);
                w = _mm256_mul_ps(w, _mm256_broadcast_ss(s[i] + k / blocksize));
                for (int t = 0; t < tokens; t++) {
                    acc[i][t] = _mm256_fmadd_ps(w, _mm256_loadu_ps(xq + t * cols + k + 8 * j), acc[i][t]);
                }
            }
        }
    }
    for (int i = 0; i < rows && r + i < r1; i++) {
        for (int t = 0; t < tokens; t++) {
            out[t * ldo + r + i] = avx2_sum(acc[i][t]);
        }
    }
}

AVX2_TARGET
void i4j_q4_gemv_avx2(const float *xq, int64_t n, int64_t cols, const uint8_t *packed, const float *scales,
                      int64_t blocksize, const float *table16, int64_t r0, int64_t r1, float *out, int64_t ldo) {
    __m256 lo = _mm256_loadu_ps(table16);
    __m256 hi = _mm256_loadu_ps(table16 + 8);
    /* A block of rows at a time, each group of four tokens passing over them. */
    for (int64_t b = r0; b < r1; b += AVX2_QUANT_BLOCK) {
        int64_t end = b + AVX2_QUANT_BLOCK < r1 ? b + AVX2_QUANT_BLOCK : r1;
        for (int64_t t = 0; t < n; t += GEMV_TOKENS) {
            const float *x = xq + t * cols;
            float *o = out + t * ldo;
            int64_t r = b;
            switch (n - t) {
                case 1: for (; r < end; r += 4) q4_avx2_tile(x, cols, packed, scales, blocksize, lo, hi, 4, 1, r, r0, end, o, ldo); break;
                case 2: for (; r < end; r += 3) q4_avx2_tile(x, cols, packed, scales, blocksize, lo, hi, 3, 2, r, r0, end, o, ldo); break;
                case 3: for (; r < end; r += 2) q4_avx2_tile(x, cols, packed, scales, blocksize, lo, hi, 2, 3, r, r0, end, o, ldo); break;
                default: for (; r < end; r += 2) q4_avx2_tile(x, cols, packed, scales, blocksize, lo, hi, 2, 4, r, r0, end, o, ldo); break;
            }
        }
    }
}

/*
 * Decoding a few tokens against an int8 row-wise weight on CPUs without AVX-512 (AVX2 and FMA), i4j_i8_gemv's
 * arithmetic 8 bytes at a time: out[t * ldo + r] = scale[r] * sum_k q[r][k] * x[t][k]. Tiles: six rows for one
 * token, four for two, three for three or four (the 16 registers; activations are memory operands),
 * AVX2_QUANT_BLOCK rows at a time. Each (row, token) sum runs in k order in one accumulator, then the scalar tail,
 * then the scale, whatever the tile: a sequence decodes the same alone or batched.
 */
#define I8_AVX2_MAX_ROWS 6

/* Eight elements of each row: widened to floats once, against every token. */
AVX2_TARGET
static inline __attribute__((always_inline)) void i8_avx2_step(const int8_t *const p[I8_AVX2_MAX_ROWS],
                                                               const float *x, int64_t cols, int rows, int tokens,
                                                               int64_t k, __m256 acc[I8_AVX2_MAX_ROWS][GEMV_TOKENS]) {
    for (int i = 0; i < rows; i++) {
        __m256 wv = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *) (p[i] + k))));
        for (int t = 0; t < tokens; t++) {
            acc[i][t] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x + t * cols + k), acc[i][t]);
        }
    }
}

AVX2_TARGET
static inline __attribute__((always_inline)) void i8_avx2_tile(const int8_t *q, int64_t cols, const float *x,
                                                               int rows, int tokens, const float *scale, float *out,
                                                               int64_t ldo, int64_t r, int64_t r1) {
    const int8_t *p[I8_AVX2_MAX_ROWS];
    for (int i = 0; i < rows; i++) {
        p[i] = q + block_row(r, i, r1) * cols;
    }
    __m256 acc[I8_AVX2_MAX_ROWS][GEMV_TOKENS];
    for (int i = 0; i < rows; i++) {
        for (int t = 0; t < tokens; t++) {
            acc[i][t] = _mm256_setzero_ps();
        }
    }
    int64_t lines = cols - cols % 64, full = cols - cols % 8, k = 0;
    for (; k < lines; k += 64) {
        for (int i = 0; i < rows; i++) {
            _mm_prefetch((const char *) (p[i] + k) + QUANT_PREFETCH, _MM_HINT_T0);
        }
        for (int s = 0; s < 64; s += 8) {
            i8_avx2_step(p, x, cols, rows, tokens, k + s, acc);
        }
    }
    for (; k < full; k += 8) {
        i8_avx2_step(p, x, cols, rows, tokens, k, acc);
    }
    for (int i = 0; i < rows && r + i < r1; i++) {
        for (int t = 0; t < tokens; t++) {
            float sum = avx2_sum(acc[i][t]);
            for (int64_t j = full; j < cols; j++) {
                sum += (float) p[i][j] * x[t * cols + j];
            }
            out[t * ldo + r + i] = sum * scale[r + i];
        }
    }
}

AVX2_TARGET
void i4j_i8_gemv_avx2(const float *x, int64_t n, int64_t cols, const int8_t *q, const float *scale, int64_t r0,
                      int64_t r1, float *out, int64_t ldo) {
    for (int64_t b = r0; b < r1; b += AVX2_QUANT_BLOCK) {
        int64_t end = b + AVX2_QUANT_BLOCK < r1 ? b + AVX2_QUANT_BLOCK : r1;
        for (int64_t t = 0; t < n; t += GEMV_TOKENS) {
            const float *xt = x + t * cols;
            float *o = out + t * ldo;
            int64_t r = b;
            switch (n - t) {
                case 1: for (; r < end; r += 6) i8_avx2_tile(q, cols, xt, 6, 1, scale, o, ldo, r, end); break;
                case 2: for (; r < end; r += 4) i8_avx2_tile(q, cols, xt, 4, 2, scale, o, ldo, r, end); break;
                case 3: for (; r < end; r += 3) i8_avx2_tile(q, cols, xt, 3, 3, scale, o, ldo, r, end); break;
                default: for (; r < end; r += 3) i8_avx2_tile(q, cols, xt, 3, 4, scale, o, ldo, r, end); break;
            }
        }
    }
}
