package dev.idefics4j.model;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.tensor.Kernels;
import dev.idefics4j.tensor.Ops;
import dev.idefics4j.tensor.Weight;

/**
 * Idefics2VisionEmbeddings / Idefics3VisionEmbeddings: SigLIP's patch convolution (stride = kernel = patch, with
 * bias) plus a learned position embedding for a grid of S×S positions (S = image_size / patch_size), looked up at
 * NaViT-style positions so that an image of any aspect ratio spreads its h×w valid patches over the whole grid.
 */
final class SiglipVisionEmbeddings {
    private final SiglipVisionConfig config;
    private final Weight patchEmbedding;
    private final float[] patchBias;
    private final float[] positionEmbedding;
    private final NavitPositions positions;

    SiglipVisionEmbeddings(SiglipVisionConfig config, Checkpoint ckpt, String prefix) {
        this.config = config;
        int e = config.hiddenSize();
        int p = config.patchSize();
        patchEmbedding = ckpt.weight(prefix + "patch_embedding.weight", e, config.numChannels(), p, p);
        patchBias = ckpt.floats(prefix + "patch_embedding.bias", e);
        positionEmbedding = ckpt.floats(prefix + "position_embedding.weight", config.numPositions(), e);
        positions = new NavitPositions(config.numPatchesPerSide());
    }

    NavitPositions positions() {
        return positions;
    }

    /**
     * Embeds one image, {@code [channels, height, width]} at {@code pixels[offset]}, into {@code out}
     * ({@code [rows·cols, hidden]}, rows = height / patch, cols = width / patch; pixels past the last whole patch are
     * ignored, as the convolution's "valid" padding does).
     */
    void forward(float[] pixels, int offset, int height, int width, int[] positionIds, float[] out) {
        int p = config.patchSize();
        int channels = config.numChannels();
        int rows = height / p;
        int cols = width / p;
        int patches = rows * cols;
        int e = config.hiddenSize();
        int k = channels * p * p;
        // im2col: each patch becomes a row in the (channel, y, x) order of the flattened kernel.
        float[] patchRows = new float[patches * k];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int row = (r * cols + c) * k;
                for (int ch = 0; ch < channels; ch++) {
                    for (int y = 0; y < p; y++) {
                        int src = offset + (ch * height + r * p + y) * width + c * p;
                        System.arraycopy(pixels, src, patchRows, row + (ch * p + y) * p, p);
                    }
                }
            }
        }
        Kernels.matmul(patchRows, patches, patchEmbedding, out);
        Ops.addBias(out, patches, patchBias);
        for (int t = 0; t < patches; t++) {
            Kernels.axpy(1f, positionEmbedding, positionIds[t] * e, out, t * e, e);
        }
    }
}
