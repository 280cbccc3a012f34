package dev.idefics4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, erf and tanh on float32 vectors, branch-free, for softmax, SiLU and the exact and tanh GELUs. Coefficients are
 * minimax-style fits (Lawson-weighted least squares on Chebyshev nodes) made for these formulas: exp within
 * 1e-7 relative, erf within 1.2e-7 absolute (about two float ulps), the order of PyTorch's own vectorised
 * kernels.
 */
public final class VectorMath {
    private static final VectorSpecies<Float> F = Kernels.F;
    private static final float LOG2E = 1.4426950408889634f;
    /** ln 2 split so that {@code n * LN2_HI} is exact for the exponents that occur. */
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187e-06f;
    /** Adding 1.5 * 2^23 rounds a float to an integer held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final float EXP_MIN = -87.33f;
    /** Keeps the exponent at most 127 (e^88.37 = 2.5e38). */
    private static final float EXP_MAX = 88.37f;
    private static final float[] EXP_POLY = {1.0f, 1.0f, 0.49999991059303284f, 0.16666419804096222f,
            0.04166822507977486f, 0.008374815806746483f, 0.0013836845755577087f};
    /** erf(x) = x * P(x^2) below ERF_SPLIT. */
    private static final float ERF_SPLIT = 0.9277f;
    private static final float[] ERF_SMALL = {1.1283791065216064f, -0.37612485885620117f, 0.11281721293926239f,
            -0.026763133704662323f, 0.004988014232367277f, -0.0005964295123703778f};
    /** Above it, erf(x) = 1 - exp(Q(x - ERF_CENTER) - x^2), Q fitting log(erfc(x)) + x^2 up to ERF_ONE. */
    private static final float ERF_CENTER = 2.4f;
    private static final float ERF_ONE = 3.93f;
    private static final float[] ERF_LARGE = {-1.520975112915039f, -0.36423659324645996f, 0.05949810892343521f,
            -0.011768135242164135f, 0.002387406537309289f, -0.0004695218231063336f, 8.709800022188574e-05f,
            -1.4585323697247077e-05f, 1.6287823427774129e-06f};

    private VectorMath() {
    }

    private static FloatVector poly(FloatVector x, float[] c) {
        FloatVector p = FloatVector.broadcast(F, c[c.length - 1]);
        for (int i = c.length - 2; i >= 0; i--) {
            p = p.fma(x, FloatVector.broadcast(F, c[i]));
        }
        return p;
    }

    /** e^x; 0 below -87.33 (where e^x is under 1.2e-38), so masked scores of -infinity weigh nothing. */
    public static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, EXP_MIN);
        x = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector shifted = x.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUND));
        FloatVector n = shifted.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        IntVector bits = shifted.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND) - 127)
                .lanewise(VectorOperators.LSHL, 23);
        return poly(r, EXP_POLY).mul(bits.reinterpretAsFloats()).blend(0f, under);
    }

    /** The error function. */
    public static FloatVector erf(FloatVector x) {
        FloatVector t = x.abs();
        FloatVector small = x.mul(poly(x.mul(x), ERF_SMALL));
        FloatVector c = t.min(ERF_ONE);
        FloatVector q = poly(c.sub(ERF_CENTER), ERF_LARGE);
        // -c^2 as hi + lo, exactly, so the exponent keeps its low bits for erfc near the split.
        FloatVector hi = c.mul(c);
        FloatVector lo = c.fma(c, hi.neg());
        FloatVector large = exp(q.sub(hi).sub(lo)).neg().add(1f);
        VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
        large = large.blend(large.neg(), negative);
        return small.blend(large, t.compare(VectorOperators.GE, ERF_SPLIT));
    }

    /**
     * The hyperbolic tangent as {@code 1 - 2 / (e^(2x) + 1)}: within 2e-7 absolute (exp's error, and float
     * rounding where the result nears 0), exactly 0 at 0 and ±1 once e^(2x) saturates either way.
     */
    public static FloatVector tanh(FloatVector x) {
        return FloatVector.broadcast(F, -2f).div(exp(x.add(x)).add(1f)).add(1f);
    }

    /** Scalar e^x through the vector code (tails of vector loops use it so every element gets the same math). */
    public static float exp(float x) {
        return exp(FloatVector.broadcast(F, x)).lane(0);
    }

    public static float erf(float x) {
        return erf(FloatVector.broadcast(F, x)).lane(0);
    }

    public static float tanh(float x) {
        return tanh(FloatVector.broadcast(F, x)).lane(0);
    }
}
