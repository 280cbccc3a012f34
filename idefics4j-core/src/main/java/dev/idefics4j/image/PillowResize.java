package dev.idefics4j.image;

/**
 * Pillow 9.4's {@code Image.resize(size, Image.BICUBIC)} on an 8-bit RGB image, bit for bit (libImaging/Resample.c):
 * separable convolution, horizontal pass then vertical pass, each rounded and clipped to 8 bits. When shrinking, the
 * cubic kernel (a = -0.5) is stretched by the scale factor (antialiasing). Weights are computed in double,
 * normalised to sum 1, then turned into fixed-point integers with 22 fractional bits; accumulation is in 32-bit ints
 * starting from one half, as Pillow does, so every rounding step matches.
 */
public final class PillowResize {
    /** 32 bits minus 8 for the pixel value and 2 for the overshoot of the cubic's negative lobes. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);
    private static final double BICUBIC_SUPPORT = 2.0;

    private PillowResize() {
    }

    /** {@code image} resized to {@code width} x {@code height} (aspect ratio not kept) with Pillow's BICUBIC filter. */
    public static RgbImage bicubic(RgbImage image, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        if (width == image.width() && height == image.height()) {
            return image; // Pillow returns a plain copy; RgbImage is immutable.
        }
        Coefficients vertical = Coefficients.of(image.height(), height);
        byte[] pixels = image.data();
        int rowOffset = 0;
        if (width != image.width()) {
            // Only the input rows the vertical pass will read are resampled horizontally.
            int firstRow = vertical.first[0];
            int lastRow = vertical.first[height - 1] + vertical.count[height - 1];
            pixels = horizontal(pixels, image.width(), firstRow, lastRow - firstRow, Coefficients.of(image.width(), width));
            rowOffset = firstRow;
        }
        if (height != image.height()) {
            pixels = vertical(pixels, width, rowOffset, vertical);
        }
        return new RgbImage(width, height, pixels);
    }

    /** The filter of Pillow's BICUBIC mode: Keys' cubic convolution with a = -0.5, support 2. */
    static double bicubicKernel(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Per output position: the first input index, how many inputs, and their fixed-point weights. */
    private record Coefficients(int ksize, int[] first, int[] count, int[] weights) {
        static Coefficients of(int inSize, int outSize) {
            // Pillow computes (double)(in1 - in0) / outSize from a float box (0, inSize): exact for real sizes.
            double scale = (double) (float) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = BICUBIC_SUPPORT * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                // (int) truncates toward zero, like C's cast: a slightly negative start rounds to 0, then clamps.
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = bicubicKernel((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double normalised = ww != 0.0 ? k[x] / ww : k[x];
                    weights[xx * ksize + x] = toFixedPoint(normalised);
                }
                first[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(ksize, first, count, weights);
        }

        /** Rounded half away from zero, as Pillow's normalize_coeffs_8bpc. */
        private static int toFixedPoint(double weight) {
            double scaled = weight * (1 << PRECISION_BITS);
            return weight < 0 ? (int) (-0.5 + scaled) : (int) (0.5 + scaled);
        }
    }

    private static byte[] horizontal(byte[] in, int inWidth, int firstRow, int rows, Coefficients c) {
        int outWidth = c.first.length;
        byte[] out = new byte[outWidth * rows * 3];
        int o = 0;
        for (int y = 0; y < rows; y++) {
            int rowStart = (firstRow + y) * inWidth * 3;
            for (int xx = 0; xx < outWidth; xx++) {
                int p = rowStart + c.first[xx] * 3;
                int kBase = xx * c.ksize;
                int r = HALF;
                int g = HALF;
                int b = HALF;
                for (int i = 0; i < c.count[xx]; i++, p += 3) {
                    int k = c.weights[kBase + i];
                    r += (in[p] & 0xFF) * k;
                    g += (in[p + 1] & 0xFF) * k;
                    b += (in[p + 2] & 0xFF) * k;
                }
                out[o++] = clip8(r);
                out[o++] = clip8(g);
                out[o++] = clip8(b);
            }
        }
        return out;
    }

    /** {@code in} holds input rows from {@code rowOffset} on (the horizontal pass may have skipped unused rows). */
    private static byte[] vertical(byte[] in, int width, int rowOffset, Coefficients c) {
        int outHeight = c.first.length;
        int stride = width * 3;
        byte[] out = new byte[stride * outHeight];
        int o = 0;
        for (int yy = 0; yy < outHeight; yy++) {
            int top = (c.first[yy] - rowOffset) * stride;
            int kBase = yy * c.ksize;
            int n = c.count[yy];
            for (int x = 0; x < stride; x++) {
                int s = HALF;
                int p = top + x;
                for (int i = 0; i < n; i++, p += stride) {
                    s += (in[p] & 0xFF) * c.weights[kBase + i];
                }
                out[o++] = clip8(s);
            }
        }
        return out;
    }

    /** Drops the fraction bits and clamps to 0..255 (Pillow's clip8 lookup table). */
    private static byte clip8(int accumulator) {
        return (byte) Math.clamp(accumulator >> PRECISION_BITS, 0, 255);
    }
}
