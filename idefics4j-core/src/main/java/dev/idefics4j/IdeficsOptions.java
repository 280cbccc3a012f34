package dev.idefics4j;

import dev.idefics4j.image.ImageLimits;
import dev.idefics4j.tensor.quant.Quantization;
import dev.idefics4j.tokenizer.Flavor;

/**
 * How to load a model.
 *
 * @param model     a checkpoint folder or a Hugging Face repo id ({@code HuggingFaceM4/idefics-9b-instruct})
 * @param revision  Hub revision (branch, tag or commit); null for main
 * @param threads   compute threads; 0 for all processors
 * @param tokenizer which tokenizer file to use; null: tokenizer.json when present, as the reference
 * @param images    limits for loading images (size caps, timeouts)
 * @param quantization linear layers quantized while loading (fp4, nf4, int8), as bitsandbytes; NONE keeps them as
 *                  stored. A checkpoint saved quantized loads as it was saved.
 * @param bf16Dot   linear-layer products through the CPU's bf16 dot-product instruction, with activations rounded
 *                  to bf16 as PyTorch's bf16 inference holds them (logits then differ from the exact float32 path
 *                  by about that rounding): images and prompts about twice as fast, decoding bf16 weights somewhat
 *                  faster (a batch of eight sequences most). With quantization, the dequantized weights of images
 *                  and prompts are rounded to bf16 too, as bitsandbytes does with
 *                  {@code bnb_4bit_compute_dtype=torch.bfloat16}, and decoding stays float32. The KV cache then
 *                  holds keys and values in bf16 as well (half its memory, and half what a decoding step's
 *                  attention reads). Needs AVX512_BF16 and the native kernel (built when gcc is present).
 */
public record IdeficsOptions(String model, String revision, int threads, Flavor tokenizer, ImageLimits images,
                             Quantization quantization, boolean bf16Dot) {
    public IdeficsOptions {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model given: a checkpoint folder or a Hub repo id");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all) or positive, got " + threads);
        }
        if (images == null) {
            images = ImageLimits.DEFAULTS;
        }
        if (quantization == null) {
            quantization = Quantization.NONE;
        }
    }

    public IdeficsOptions(String model, String revision, int threads, Flavor tokenizer, ImageLimits images,
                          Quantization quantization) {
        this(model, revision, threads, tokenizer, images, quantization, false);
    }

    public static IdeficsOptions of(String model) {
        return new IdeficsOptions(model, null, 0, null, ImageLimits.DEFAULTS, Quantization.NONE);
    }

    public IdeficsOptions withRevision(String value) {
        return new IdeficsOptions(model, value, threads, tokenizer, images, quantization, bf16Dot);
    }

    public IdeficsOptions withThreads(int value) {
        return new IdeficsOptions(model, revision, value, tokenizer, images, quantization, bf16Dot);
    }

    public IdeficsOptions withTokenizer(Flavor value) {
        return new IdeficsOptions(model, revision, threads, value, images, quantization, bf16Dot);
    }

    public IdeficsOptions withQuantization(Quantization value) {
        return new IdeficsOptions(model, revision, threads, tokenizer, images, value, bf16Dot);
    }

    public IdeficsOptions withImageLimits(ImageLimits value) {
        return new IdeficsOptions(model, revision, threads, tokenizer, value, quantization, bf16Dot);
    }

    /** With {@code true}: linear-layer products through the bf16 dot-product instruction (see {@link #bf16Dot}). */
    public IdeficsOptions withBf16Dot(boolean value) {
        return new IdeficsOptions(model, revision, threads, tokenizer, images, quantization, value);
    }
}
