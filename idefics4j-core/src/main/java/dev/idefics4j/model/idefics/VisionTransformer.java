package dev.idefics4j.model.idefics;

import dev.idefics4j.checkpoint.Checkpoint;
import dev.idefics4j.model.EncoderLayerScratch;
import dev.idefics4j.model.LayerNorm;
import dev.idefics4j.model.VisionEncoderLayer;
import dev.idefics4j.tensor.Parallel;
import dev.idefics4j.tensor.Weight;

/**
 * IdeficsVisionTransformer (CLIP ViT): patch convolution without bias, class token, position embeddings,
 * {@code pre_layrnorm}, pre-LN encoder layers. The output the model uses is the last encoder layer's hidden state
 * <em>without</em> {@code post_layernorm}, whose weights exist but which the reference never applies to it.
 */
public final class VisionTransformer {
    private final VisionConfig config;
    private final Weight patchEmbedding;
    private final float[] classEmbedding;
    private final float[] positionEmbedding;
    private final LayerNorm preLayrnorm;
    private final VisionEncoderLayer[] layers;

    VisionTransformer(VisionConfig config, Checkpoint ckpt, String prefix) {
        this.config = config;
        int e = config.embedDim();
        int p = config.patchSize();
        patchEmbedding = ckpt.weight(prefix + "embeddings.patch_embedding.weight", e, config.numChannels(), p, p);
        classEmbedding = ckpt.floats(prefix + "embeddings.class_embedding", e);
        positionEmbedding = ckpt.floats(prefix + "embeddings.position_embedding.weight", config.numPositions(), e);
        preLayrnorm = LayerNorm.load(ckpt, prefix + "pre_layrnorm", e, config.layerNormEps());
        layers = new VisionEncoderLayer[config.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = layer(config, ckpt, prefix + "encoder.layers." + i + ".");
        }
        ckpt.markUsed(prefix + "post_layernorm.weight");
        ckpt.markUsed(prefix + "post_layernorm.bias");
    }

    /** One of the tower's CLIP encoder layers, whose weights are named {@code prefix + "layer_norm1"}, ... */
    public static VisionEncoderLayer layer(VisionConfig config, Checkpoint ckpt, String prefix) {
        return new VisionEncoderLayer(VisionEncoderLayer.Kind.CLIP, config.embedDim(), config.numAttentionHeads(),
                config.intermediateSize(), config.layerNormEps(), ckpt, prefix);
    }

    public VisionConfig config() {
        return config;
    }

    /** Tokens per image out of the tower for images of {@code size}² pixels: the class token and the patches. */
    public int tokensFor(int size) {
        int grid = size / config.patchSize();
        return grid * grid + 1;
    }

    /**
     * Encodes {@code count} images of {@code pixels} (channels-first, {@code size}², starting at image
     * {@code first}) into [count, 1 + patches, embed_dim]. Images of another size than the config's image_size get
     * bicubically interpolated position embeddings, as the reference's {@code interpolate_pos_encoding=True}.
     */
    public float[] forward(float[] pixels, int size, int first, int count) {
        int tokens = tokensFor(size);
        int e = config.embedDim();
        float[] positions = positionEmbeddingFor(size);
        float[] out = new float[count * tokens * e];
        // Images are independent: run them in parallel when there are several, else parallelise inside kernels.
        Parallel.forEach(count, count > 1, i -> {
            float[] h = encodeOne(pixels, size, positions, first + i);
            System.arraycopy(h, 0, out, i * tokens * e, tokens * e);
        });
        return out;
    }

    /** The reference's {@code interpolate_pos_encoding}: the patch grid's embeddings resized to the new grid. */
    private float[] positionEmbeddingFor(int size) {
        int grid = size / config.patchSize();
        int baseGrid = config.imageSize() / config.patchSize();
        if (grid == baseGrid) {
            return positionEmbedding;
        }
        int e = config.embedDim();
        float[] patchPositions = java.util.Arrays.copyOfRange(positionEmbedding, e, positionEmbedding.length);
        // A small number is added to avoid floating-point error in the output size, as the reference does.
        double scale = (grid + 0.1) / baseGrid;
        float[] resized = dev.idefics4j.tensor.BicubicInterpolation.resize(patchPositions, baseGrid, baseGrid, e,
                scale, scale);
        float[] out = new float[(grid * grid + 1) * e];
        System.arraycopy(positionEmbedding, 0, out, 0, e);
        System.arraycopy(resized, 0, out, e, grid * grid * e);
        return out;
    }

    private float[] encodeOne(float[] pixels, int s, float[] positions, int image) {
        int p = config.patchSize();
        int c = config.numChannels();
        int grid = s / p;
        int patches = grid * grid;
        int e = config.embedDim();
        int k = c * p * p;
        float[] patchRows = new float[patches * k];
        int imageBase = image * c * s * s;
        for (int gy = 0; gy < grid; gy++) {
            for (int gx = 0; gx < grid; gx++) {
                int row = (gy * grid + gx) * k;
                for (int ch = 0; ch < c; ch++) {
                    for (int ky = 0; ky < p; ky++) {
                        int src = imageBase + ch * s * s + (gy * p + ky) * s + gx * p;
                        System.arraycopy(pixels, src, patchRows, row + ch * p * p + ky * p, p);
                    }
                }
            }
        }
        float[] embedded = new float[patches * e];
        dev.idefics4j.tensor.Kernels.matmul(patchRows, patches, patchEmbedding, embedded);
        int tokens = patches + 1;
        float[] h = new float[tokens * e];
        System.arraycopy(classEmbedding, 0, h, 0, e);
        System.arraycopy(embedded, 0, h, e, patches * e);
        for (int i = 0; i < tokens * e; i++) {
            h[i] += positions[i];
        }
        preLayrnorm.forwardInPlace(h, tokens);
        EncoderLayerScratch scratch = new EncoderLayerScratch(tokens, e, config.intermediateSize());
        for (VisionEncoderLayer layer : layers) {
            layer.forward(h, tokens, null, scratch);
        }
        return h;
    }
}
