package dev.idefics4j.tokenizer;

import java.util.Arrays;

/** A growable list of ints without boxing, for collecting token ids. */
final class IntArrayBuilder {
    private int[] data;
    private int size;

    IntArrayBuilder(int capacity) {
        data = new int[Math.max(4, capacity)];
    }

    void add(int value) {
        if (size == data.length) {
            data = Arrays.copyOf(data, size * 2);
        }
        data[size++] = value;
    }

    void addAll(int[] values) {
        for (int v : values) {
            add(v);
        }
    }

    int size() {
        return size;
    }

    /** The backing array; only its first {@link #size()} values are the contents. */
    int[] array() {
        return data;
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
