package dev.idefics4j.tensor.quant;

import dev.idefics4j.tensor.MatrixWeight;
import dev.idefics4j.tensor.Weight;
import dev.idefics4j.tensor.WeightFormat;

/**
 * A {@link Quantization} as a {@link WeightFormat}, so that {@code WeightFormats.available()} lists it and
 * {@code bench} measures it: each linear weight is quantized as it loads, exactly as
 * {@code QuantizedLoading.linears(dir, quantization)} does for a plain checkpoint. The nested classes are the formats
 * this module registers in {@code META-INF/services/dev.idefics4j.tensor.WeightFormat}, under the names the
 * {@code --quantize} option takes ({@link Quantization#parse} reads every one of them back).
 */
public class QuantizedFormat implements WeightFormat {
    private final Quantization quantization;

    public QuantizedFormat(Quantization quantization) {
        if (!quantization.enabled()) {
            throw new IllegalArgumentException("a quantized format needs a quantization, not none");
        }
        this.quantization = quantization;
    }

    public Quantization quantization() {
        return quantization;
    }

    /** {@code fp4}, {@code nf4}, {@code int8}; {@code -dq} appended with double quantization ({@code nf4-dq}). */
    @Override
    public String name() {
        return quantization.formatName();
    }

    @Override
    public MatrixWeight apply(Weight stored) {
        return quantization.quantize(stored);
    }

    @Override
    public String toString() {
        return name();
    }

    /** bitsandbytes' default 4-bit code, blocks of 64. */
    public static final class Fp4 extends QuantizedFormat {
        public Fp4() {
            super(Quantization.FP4);
        }
    }

    /** NormalFloat4, blocks of 64. */
    public static final class Nf4 extends QuantizedFormat {
        public Nf4() {
            super(Quantization.NF4);
        }
    }

    /** NormalFloat4 with the block scales quantized again ({@code bnb_4bit_use_double_quant}). */
    public static final class Nf4DoubleQuant extends QuantizedFormat {
        public Nf4DoubleQuant() {
            super(Quantization.NF4.withDoubleQuant(true));
        }
    }

    /** LLM.int8 row-wise absmax. */
    public static final class Int8 extends QuantizedFormat {
        public Int8() {
            super(Quantization.INT8);
        }
    }
}
