package dev.idefics4j.spark;

import dev.idefics4j.IdeficsOptions;
import dev.idefics4j.tensor.quant.Quantization;
import dev.idefics4j.tokenizer.Flavor;

import java.io.Serializable;

/**
 * Which model the executors load and how. It travels inside Spark closures (hence serializable) and keys the
 * executor-wide {@link ModelCache}.
 *
 * @param model     a checkpoint folder every executor can read (weights are memory-mapped from it) or a Hub repo id,
 *                  fetched into each executor's Hugging Face cache
 * @param revision  Hub revision; null for main
 * @param tokenizer which tokenizer file; null for the reference's choice
 * @param threads   compute threads per executor JVM; 0 for all its processors
 * @param quantize  how each executor quantizes the linear layers while loading: none (null too), fp4, nf4 or int8
 *                  (the CLI's {@code --quantize}); kept as a name so the spec stays plainly serializable
 * @param doubleQuant with fp4/nf4: quantize the block scales too ({@code --double-quant})
 * @param bf16Dot   images and prompts through the CPU's bf16 dot-product instruction on each executor
 *                  ({@code --bf16-dot}; {@link IdeficsOptions#bf16Dot})
 */
public record ModelSpec(String model, String revision, Flavor tokenizer, int threads, String quantize,
                        boolean doubleQuant, boolean bf16Dot) implements Serializable {
    public ModelSpec {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model given: a checkpoint folder or a Hub repo id");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all) or positive, got " + threads);
        }
        Quantization.parse(quantize, doubleQuant); // unknown names and double quant without 4-bit fail on the driver
    }

    public ModelSpec(String model, String revision, Flavor tokenizer, int threads) {
        this(model, revision, tokenizer, threads, null, false, false);
    }

    public ModelSpec(String model, String revision, Flavor tokenizer, int threads, String quantize,
                     boolean doubleQuant) {
        this(model, revision, tokenizer, threads, quantize, doubleQuant, false);
    }

    public static ModelSpec of(String model) {
        return new ModelSpec(model, null, null, 0);
    }

    public ModelSpec withThreads(int value) {
        return new ModelSpec(model, revision, tokenizer, value, quantize, doubleQuant, bf16Dot);
    }

    public ModelSpec withQuantization(String name, boolean doubleQuantized) {
        return new ModelSpec(model, revision, tokenizer, threads, name, doubleQuantized, bf16Dot);
    }

    public ModelSpec withBf16Dot(boolean value) {
        return new ModelSpec(model, revision, tokenizer, threads, quantize, doubleQuant, value);
    }

    IdeficsOptions options() {
        return IdeficsOptions.of(model).withRevision(revision).withTokenizer(tokenizer).withThreads(threads)
                .withQuantization(Quantization.parse(quantize, doubleQuant)).withBf16Dot(bf16Dot);
    }
}
