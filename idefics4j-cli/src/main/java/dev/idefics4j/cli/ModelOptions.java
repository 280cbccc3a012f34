package dev.idefics4j.cli;

import dev.idefics4j.image.ImageLoader;
import dev.idefics4j.processor.IdeficsProcessor;
import dev.idefics4j.tensor.quant.Quantization;
import dev.idefics4j.tokenizer.Flavor;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/** {@code --model} and the options that say how to read it, shared by every command that loads a checkpoint. */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR|REPO",
            description = "Checkpoint folder or Hugging Face repo id (default: the bundled tiny random model).")
    String model;

    @Option(names = "--revision", paramLabel = "REV", description = "Hub revision (branch, tag or commit).")
    String revision;

    @Option(names = "--tokenizer", paramLabel = "FLAVOR",
            description = "auto (tokenizer.json when present), json, sentencepiece (tokenizer.model) or gpt2"
                    + " (vocab.json + merges.txt).")
    String tokenizer = "auto";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** 0: all processors. */
    int threads;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all processors).")
    void threads(int n) {
        if (n < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + n
                    + " (leave it out for all processors)");
        }
        threads = n;
    }

    @Option(names = "--quantize", paramLabel = "FORMAT",
            description = "Quantize linear layers while loading: fp4, nf4 or int8 (as bitsandbytes); fp4-dq, nf4-dq"
                    + " with double quantization.")
    String quantize;

    @Option(names = "--double-quant", description = "With fp4/nf4: quantize the block scales too.")
    boolean doubleQuant;

    @Option(names = "--bf16-dot", description = "Linear layers through the CPU's bf16 dot-product instruction"
            + " (AVX512_BF16), activations rounded to bf16 as in PyTorch's bf16 inference: images and prompts about"
            + " twice as fast, decoding somewhat faster. With --quantize, the dequantized weights of images and"
            + " prompts are rounded to bf16 too and decoding stays float32.")
    boolean bf16Dot;

    Quantization quantization() {
        return Quantization.parse(quantize, doubleQuant);
    }

    Path dir() {
        return ModelPaths.resolve(model, revision);
    }

    /** The tokenizer file chosen by {@code --tokenizer}; null for the reference's choice. */
    Flavor flavor() {
        return parseFlavor(tokenizer, "--tokenizer");
    }

    /** A tokenizer flavour as the command line names it; null for auto. */
    static Flavor parseFlavor(String value, String option) {
        return switch (value.toLowerCase()) {
            case "auto" -> null;
            case "sentencepiece", "model", "slow" -> Flavor.SENTENCEPIECE;
            case "json", "fast", "tokenizer.json" -> Flavor.TOKENIZER_JSON;
            case "gpt2", "vocab", "vocab.json" -> Flavor.GPT2;
            default -> throw new IllegalArgumentException(option + " must be auto, json, sentencepiece or gpt2, not "
                    + value);
        };
    }

    IdeficsProcessor processor(ImageLoader loader) {
        Flavor flavor = flavor();
        return flavor == null ? IdeficsProcessor.fromCheckpoint(dir(), loader)
                : IdeficsProcessor.fromCheckpoint(dir(), flavor, loader);
    }
}
