package dev.idefics4j.image;

/**
 * The resampling filters of Pillow 9.4's {@code Image.resize} that the IDEFICS family uses (libImaging/Resample.c):
 * each a kernel and the half-width of its support at scale 1. Preprocessor configs name them by Pillow's
 * {@code Image.Resampling} codes ({@code "resample": 1} is LANCZOS).
 */
public enum ResampleFilter {
    /** Triangle (tent) filter, support 1: Idefics2. */
    BILINEAR(2, 1.0) {
        @Override
        double weight(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    },
    /** Keys' cubic convolution with a = -0.5, support 2: IDEFICS v1. */
    BICUBIC(3, 2.0) {
        @Override
        double weight(double x) {
            final double a = -0.5;
            x = Math.abs(x);
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }
    },
    /** sinc(x)·sinc(x/3) truncated to [-3, 3), support 3: Idefics3 / SmolVLM. Its lobes make weights negative. */
    LANCZOS(1, 3.0) {
        @Override
        double weight(double x) {
            // Pillow tests -3 <= x < 3, so the window is half-open.
            return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        }
    };

    private final int pillowCode;
    private final double support;

    ResampleFilter(int pillowCode, double support) {
        this.pillowCode = pillowCode;
        this.support = support;
    }

    /** The kernel at {@code x} input pixels from the centre (unscaled). */
    abstract double weight(double x);

    /** How far the kernel reaches at scale 1, in input pixels. */
    double support() {
        return support;
    }

    /** Pillow's {@code Image.Resampling} value of this filter. */
    public int pillowCode() {
        return pillowCode;
    }

    /** The filter of a config's {@code "resample"} value (Pillow's {@code Image.Resampling} codes). */
    public static ResampleFilter fromPillowCode(int code) {
        for (ResampleFilter f : values()) {
            if (f.pillowCode == code) {
                return f;
            }
        }
        String name = switch (code) {
            case 0 -> " (NEAREST)";
            case 4 -> " (BOX)";
            case 5 -> " (HAMMING)";
            default -> "";
        };
        throw new IllegalArgumentException("resample " + code + name + " is not supported; supported: 1 (LANCZOS), "
                + "2 (BILINEAR), 3 (BICUBIC)");
    }

    /** sin(πx)/(πx); StrictMath so that every JVM computes the same weights. */
    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x = x * Math.PI;
        return StrictMath.sin(x) / x;
    }
}
