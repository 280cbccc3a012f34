package dev.idefics4j.image;

import java.util.List;

/** One resize an image processor made, in the reference's {@code [in_h, in_w, out_h, out_w]} order. */
public record ResizeCall(int inHeight, int inWidth, int outHeight, int outWidth) {

    /** {@code image} resized to {@code height} x {@code width} with {@code filter}, the call added to {@code calls}. */
    public static RgbImage resize(RgbImage image, int height, int width, ResampleFilter filter,
                                  List<ResizeCall> calls) {
        calls.add(new ResizeCall(image.height(), image.width(), height, width));
        return PillowResize.resize(image, width, height, filter);
    }
}
