package dev.idefics4j.image;

/**
 * Pillow 9.4's {@code Image.resize(size, filter)} on an 8-bit RGB image, bit for bit (libImaging/Resample.c):
 * separable convolution, horizontal pass then vertical pass, each rounded and clipped to 8 bits. When shrinking, the
 * filter's kernel is stretched by the scale factor (antialiasing). Weights are computed in double, normalised to sum
 * 1, then turned into fixed-point integers with 22 fractional bits; accumulation is in 32-bit ints starting from one
 * half, as Pillow does, so every rounding step matches. Kernels with negative lobes (BICUBIC, LANCZOS) can push a sum
 * below 0 or above 255: each pass clips.
 */
public final class PillowResize {
    /** 32 bits minus 8 for the pixel value and 2 for the overshoot of negative lobes. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PillowResize() {
    }

    /** {@code image} resized to {@code width} x {@code height} (aspect ratio not kept) with Pillow's {@code filter}. */
    public static RgbImage resize(RgbImage image, int width, int height, ResampleFilter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        if (width == image.width() && height == image.height()) {
            return image; // Pillow returns a plain copy; RgbImage is immutable.
        }
        Coefficients vertical = Coefficients.of(image.height(), height, filter);
        byte[] pixels = image.data();
        int rowOffset = 0;
        if (width != image.width()) {
            // Only the input rows the vertical pass will read are resampled horizontally.
            int firstRow = vertical.first[0];
            int lastRow = vertical.first[height - 1] + vertical.count[height - 1];
            pixels = horizontal(pixels, image.width(), firstRow, lastRow - firstRow, Coefficients.of(image.width(), width, filter));
            rowOffset = firstRow;
        }
        if (height != image.height()) {
            pixels = vertical(pixels, width, rowOffset, vertical);
        }
        return new RgbImage(width, height, pixels);
    }

    /** Per output position: the first input index, how many inputs, and their fixed-point weights. */
    private record Coefficients(int ksize, int[] first, int[] count, int[] weights) {
        static Coefficients of(int inSize, int outSize, ResampleFilter filter) {
            // Pillow computes (double)(in1 - in0) / outSize from a float box (0, inSize): exact for real sizes.
            double scale = (double) (float) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support() * filterScale;
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
                    double w = filter.weight((x + xmin - center + 0.5) * ss);
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
