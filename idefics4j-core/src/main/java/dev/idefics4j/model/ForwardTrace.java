package dev.idefics4j.model;

/** Receives intermediate tensors of a forward pass by their reference names (for parity tests and debugging). */
@FunctionalInterface
public interface ForwardTrace {
    void record(String name, float[] data, int... shape);
}
