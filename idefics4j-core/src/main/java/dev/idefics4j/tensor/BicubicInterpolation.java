package dev.idefics4j.tensor;

/**
 * {@code torch.nn.functional.interpolate(mode="bicubic", align_corners=False)} with a given scale factor, on a
 * channels-last grid: the cubic convolution kernel with A = -0.75, source coordinates
 * {@code (dst + 0.5) / scale - 0.5}, neighbours clamped at the border.
 */
public final class BicubicInterpolation {
    private static final float A = -0.75f;

    private BicubicInterpolation() {
    }

    /**
     * @param src   [inH, inW, channels]
     * @param scaleH output/input scale along the height (the output has {@code floor(inH * scaleH)} rows)
     * @return [outH, outW, channels]
     */
    public static float[] resize(float[] src, int inH, int inW, int channels, double scaleH, double scaleW) {
        int outH = (int) Math.floor(inH * scaleH);
        int outW = (int) Math.floor(inW * scaleW);
        float[] out = new float[outH * outW * channels];
        float stepH = (float) (1.0 / scaleH);
        float stepW = (float) (1.0 / scaleW);
        float[] cy = new float[4];
        float[] cx = new float[4];
        for (int oy = 0; oy < outH; oy++) {
            float realY = stepH * (oy + 0.5f) - 0.5f;
            int iy = (int) Math.floor(realY);
            coefficients(realY - iy, cy);
            for (int ox = 0; ox < outW; ox++) {
                float realX = stepW * (ox + 0.5f) - 0.5f;
                int ix = (int) Math.floor(realX);
                coefficients(realX - ix, cx);
                for (int c = 0; c < channels; c++) {
                    // float arithmetic in the reference kernel's order (opmath for float inputs is float)
                    float acc = 0;
                    for (int j = 0; j < 4; j++) {
                        int y = clamp(iy - 1 + j, inH);
                        float row = 0;
                        for (int i = 0; i < 4; i++) {
                            row += cx[i] * src[(y * inW + clamp(ix - 1 + i, inW)) * channels + c];
                        }
                        acc += cy[j] * row;
                    }
                    out[(oy * outW + ox) * channels + c] = acc;
                }
            }
        }
        return out;
    }

    private static int clamp(int i, int size) {
        return Math.max(0, Math.min(size - 1, i));
    }

    private static void coefficients(float t, float[] c) {
        c[0] = far(t + 1f);
        c[1] = near(t);
        c[2] = near(1f - t);
        c[3] = far(2f - t);
    }

    private static float near(float x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static float far(float x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
