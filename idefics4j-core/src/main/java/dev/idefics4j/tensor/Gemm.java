package dev.idefics4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Tiled matrix product for many activation rows: {@code C[t][r] = sum_k A[t][k] * B[r][k]}. B is cut into panels
 * of {@link #NR} rows by {@link #KC} depth, each widened and transposed once ({@link PanelSource}) into a 32 KiB
 * buffer that stays in L1 while every activation row streams past it; the micro-kernel keeps an 8-token x NR-row
 * tile of C in registers (16 accumulators), broadcasting one activation per token against two weight vectors.
 * The activations are packed once per call so those broadcasts read one contiguous stream. Threads take whole
 * panels, so each weight element is read from memory once.
 */
final class Gemm {
    private static final VectorSpecies<Float> F = Kernels.F;
    private static final int L = Kernels.L;
    /** Panel width: two vectors of B rows. */
    static final int NR = 2 * L;
    /** Panel depth: NR x KC floats fill 32 KiB, within L1 beside the activations' cache lines. */
    static final int KC = 256;
    /** Activation rows per micro-kernel. */
    static final int MR = 8;
    /** Activation rows per packed tile: two micro-kernels' worth, one 16x16 transpose wide. */
    static final int A_TILE = 2 * MR;
    /**
     * Panels that share each block of packed activations while it is in L2. Eight rather than four halves how often
     * the activations come back from L3 (the 512x4096 by 11008x4096 product, two threads: 260 -> 298 GFLOP/s, medians
     * of four alternating runs; sixteen measured about the same as eight, with twice the output tiles in flight).
     */
    private static final int GROUP = 8;
    /** Below this many multiply-adds a product runs on the calling thread. */
    private static final long PARALLEL_MIN_WORK = 1 << 18;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[NR * KC]);
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[NR * KC]);

    private Gemm() {
    }

    /** A per-thread [NR, KC] buffer for widening rows before they are transposed. */
    static float[] scratch() {
        return SCRATCH.get();
    }

    /**
     * @param a        activations, row t at {@code aOff + t * aStride}, {@code b.depth()} values
     * @param c        output, row t at {@code cOff + t * cStride}, {@code b.rows()} values (overwritten)
     * @param parallel split the panels over the compute threads (false inside already parallel loops)
     */
    static void multiply(float[] a, int aOff, int aStride, int n, PanelSource b, float[] c, int cOff, int cStride,
                         boolean parallel) {
        int depth = b.depth();
        parallel &= (long) n * depth * b.rows() >= PARALLEL_MIN_WORK;
        float[] packed = packActivations(a, aOff, aStride, n, depth, parallel);
        int panels = (b.rows() + NR - 1) / NR;
        // Groups are claimed one at a time; at least eight per thread keep the last ones from idling a core.
        int size = Math.max(1, Math.min(GROUP, panels / (8 * Parallel.threads())));
        int groups = (panels + size - 1) / size;
        Parallel.forEach(groups, parallel,
                g -> group(packed, n, b, g * size, Math.min(panels, (g + 1) * size), c, cOff, cStride));
    }

    /**
     * The activations as [tile of {@link #A_TILE} rows][depth][A_TILE] (rows past n zero): a micro-kernel's
     * broadcasts then walk one contiguous stream instead of eight rows, which frees registers and halves the
     * address arithmetic. Each half of a tile feeds one micro-kernel.
     */
    private static float[] packActivations(float[] a, int aOff, int aStride, int n, int depth, boolean parallel) {
        int tiles = (n + A_TILE - 1) / A_TILE;
        float[] packed = ThreadBuffers.floats(ThreadBuffers.GEMM_ACTIVATIONS, tiles * depth * A_TILE);
        Parallel.forEach(tiles, parallel, q -> Transposer.transpose(a, aOff + q * A_TILE * aStride, aStride,
                Math.min(A_TILE, n - q * A_TILE), A_TILE, depth, packed, q * depth * A_TILE));
        return packed;
    }

    /**
     * Panels [p0, p1) depth block by depth block, so the block of packed activations is reused from L2 by all of
     * them before the next one is read.
     */
    private static void group(float[] packed, int n, PanelSource b, int p0, int p1, float[] c, int cOff,
                              int cStride) {
        int depth = b.depth();
        int tiles = (n + MR - 1) / MR;
        int fullTiles = n / MR;
        // A partial panel computes into a full-width buffer, a partial last tile into a one-tile buffer; both are
        // copied out at the end, so the micro-kernel never needs a mask.
        float[][] wide = new float[p1 - p0][];
        float[][] tail = new float[p1 - p0][];
        for (int p = p0; p < p1; p++) {
            wide[p - p0] = b.rows() - p * NR < NR ? new float[n * NR] : null;
            tail[p - p0] = n % MR != 0 ? new float[MR * NR] : null;
        }
        float[] panel = PANEL.get();
        for (int k0 = 0; k0 < depth; k0 += KC) {
            int kc = Math.min(KC, depth - k0);
            boolean accumulate = k0 > 0;
            for (int p = p0; p < p1; p++) {
                int r0 = p * NR;
                b.pack(r0, NR, k0, kc, panel);
                float[] w = wide[p - p0];
                for (int tile = 0; tile < tiles; tile++) {
                    int ao = (tile / 2) * depth * A_TILE + k0 * A_TILE + (tile % 2) * MR;
                    int t0 = tile * MR;
                    if (tile >= fullTiles) {
                        kernel(packed, ao, panel, kc, tail[p - p0], 0, NR, accumulate);
                    } else if (w == null) {
                        kernel(packed, ao, panel, kc, c, cOff + t0 * cStride + r0, cStride, accumulate);
                    } else {
                        kernel(packed, ao, panel, kc, w, t0 * NR, NR, accumulate);
                    }
                }
            }
        }
        for (int p = p0; p < p1; p++) {
            int r0 = p * NR;
            int valid = Math.min(NR, b.rows() - r0);
            for (int t = 0; t < n; t++) {
                int o = cOff + t * cStride + r0;
                if (depth == 0) {
                    java.util.Arrays.fill(c, o, o + valid, 0f);
                } else if (t >= fullTiles * MR) {
                    System.arraycopy(tail[p - p0], (t - fullTiles * MR) * NR, c, o, valid);
                } else if (wide[p - p0] != null) {
                    System.arraycopy(wide[p - p0], t * NR, c, o, valid);
                }
            }
        }
    }

    private static FloatVector start(float[] c, int o, boolean accumulate) {
        return accumulate ? FloatVector.fromArray(F, c, o) : FloatVector.zero(F);
    }

    /** C[0..MR)[0..NR) (+)= A-tile x panel over kc depth; A-tile element (k, i) at {@code ao + k * A_TILE + i}. */
    private static void kernel(float[] a, int ao, float[] p, int kc, float[] c, int co, int cs, boolean accumulate) {
        FloatVector c00 = start(c, co, accumulate), c01 = start(c, co + L, accumulate);
        FloatVector c10 = start(c, co + cs, accumulate), c11 = start(c, co + cs + L, accumulate);
        FloatVector c20 = start(c, co + 2 * cs, accumulate), c21 = start(c, co + 2 * cs + L, accumulate);
        FloatVector c30 = start(c, co + 3 * cs, accumulate), c31 = start(c, co + 3 * cs + L, accumulate);
        FloatVector c40 = start(c, co + 4 * cs, accumulate), c41 = start(c, co + 4 * cs + L, accumulate);
        FloatVector c50 = start(c, co + 5 * cs, accumulate), c51 = start(c, co + 5 * cs + L, accumulate);
        FloatVector c60 = start(c, co + 6 * cs, accumulate), c61 = start(c, co + 6 * cs + L, accumulate);
        FloatVector c70 = start(c, co + 7 * cs, accumulate), c71 = start(c, co + 7 * cs + L, accumulate);
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(F, p, k * NR);
            FloatVector b1 = FloatVector.fromArray(F, p, k * NR + L);
            int x = ao + k * A_TILE;
            FloatVector v = FloatVector.broadcast(F, a[x]);
            c00 = b0.fma(v, c00);
            c01 = b1.fma(v, c01);
            v = FloatVector.broadcast(F, a[x + 1]);
            c10 = b0.fma(v, c10);
            c11 = b1.fma(v, c11);
            v = FloatVector.broadcast(F, a[x + 2]);
            c20 = b0.fma(v, c20);
            c21 = b1.fma(v, c21);
            v = FloatVector.broadcast(F, a[x + 3]);
            c30 = b0.fma(v, c30);
            c31 = b1.fma(v, c31);
            v = FloatVector.broadcast(F, a[x + 4]);
            c40 = b0.fma(v, c40);
            c41 = b1.fma(v, c41);
            v = FloatVector.broadcast(F, a[x + 5]);
            c50 = b0.fma(v, c50);
            c51 = b1.fma(v, c51);
            v = FloatVector.broadcast(F, a[x + 6]);
            c60 = b0.fma(v, c60);
            c61 = b1.fma(v, c61);
            v = FloatVector.broadcast(F, a[x + 7]);
            c70 = b0.fma(v, c70);
            c71 = b1.fma(v, c71);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + cs);
        c11.intoArray(c, co + cs + L);
        c20.intoArray(c, co + 2 * cs);
        c21.intoArray(c, co + 2 * cs + L);
        c30.intoArray(c, co + 3 * cs);
        c31.intoArray(c, co + 3 * cs + L);
        c40.intoArray(c, co + 4 * cs);
        c41.intoArray(c, co + 4 * cs + L);
        c50.intoArray(c, co + 5 * cs);
        c51.intoArray(c, co + 5 * cs + L);
        c60.intoArray(c, co + 6 * cs);
        c61.intoArray(c, co + 6 * cs + L);
        c70.intoArray(c, co + 7 * cs);
        c71.intoArray(c, co + 7 * cs + L);
    }
}
