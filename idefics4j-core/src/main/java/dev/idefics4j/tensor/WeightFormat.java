package dev.idefics4j.tensor;

import java.util.function.Function;

/**
 * A named way of keeping linear-layer weights, for {@code Checkpoint.LinearLoader.converting(format)}: the stored
 * dtype, a converted one, or a quantized form. {@link WeightFormats#available()} lists the built-in ones and every one a
 * module provides through {@link java.util.ServiceLoader} (a {@code META-INF/services/dev.idefics4j.tensor
 * .WeightFormat} entry naming an implementation with a public no-argument constructor).
 */
public interface WeightFormat extends Function<Weight, MatrixWeight> {
    /** The name benchmarks and options use, e.g. {@code bf16}, {@code f32}, {@code int8}. */
    String name();

    /** Makes this format of a stored weight (which may stay where it is mapped). */
    @Override
    MatrixWeight apply(Weight stored);

    static WeightFormat of(String name, Function<Weight, MatrixWeight> convert) {
        return new WeightFormat() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public MatrixWeight apply(Weight stored) {
                return convert.apply(stored);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
