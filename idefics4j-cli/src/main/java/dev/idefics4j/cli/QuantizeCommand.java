package dev.idefics4j.cli;

import dev.idefics4j.tensor.quant.QuantizedLoading;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Write a quantized copy of a checkpoint (bitsandbytes layout, quantization_config in its "
                + "config.json), so that quantizing happens once; load it with --model like any checkpoint.",
                "Example: ./idefics4j quantize --model HuggingFaceM4/idefics-9b --quantize nf4 --out idefics-9b-nf4"})
final class QuantizeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the quantized checkpoint.")
    Path out;

    @Option(names = "--force", description = "Write into --out even when it already holds files (they are replaced).")
    boolean force;

    @Override
    public Integer call() throws IOException {
        if (model.quantize == null) {
            throw new IllegalArgumentException("give --quantize fp4, nf4 or int8");
        }
        if (model.bf16Dot) {
            throw new IllegalArgumentException("--bf16-dot chooses a kernel when running, it is not a format to save");
        }
        if (!force && Files.isDirectory(out)) {
            try (Stream<Path> files = Files.list(out)) {
                if (files.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + out + " already holds files; choose a new folder, "
                            + "or add --force to replace them");
                }
            }
        }
        long start = System.nanoTime();
        QuantizedLoading.save(model.dir(), out, model.quantization());
        System.err.printf("wrote %s (%s) in %.1f s%n", out, model.quantization(), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
