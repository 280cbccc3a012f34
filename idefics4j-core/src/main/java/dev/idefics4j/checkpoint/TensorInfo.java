package dev.idefics4j.checkpoint;

import dev.idefics4j.tensor.DType;
import dev.idefics4j.tensor.Shapes;

/** One tensor entry of a safetensors header: byte range relative to the start of the data section. */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    public long numel() {
        return Shapes.numel(shape);
    }

    public long byteSize() {
        return end - begin;
    }

    public String describe() {
        return name + " " + dtype + Shapes.format(shape);
    }
}
