package dev.idefics4j.generation;

/**
 * The token rows of a generation so far (the reference's {@code input_ids} during decoding): prompt plus generated
 * tokens, one row per decoded sequence, all of one length.
 */
final class Sequences {
    private int[][] rows;
    private int length;

    /** Row i starts as {@code prompts[sources[i]]}; room for {@code capacity} tokens per row. */
    Sequences(int[][] prompts, int[] sources, int capacity) {
        length = prompts[0].length;
        rows = new int[sources.length][];
        for (int i = 0; i < sources.length; i++) {
            rows[i] = new int[Math.max(capacity, length)];
            System.arraycopy(prompts[sources[i]], 0, rows[i], 0, length);
        }
    }

    int rows() {
        return rows.length;
    }

    int length() {
        return length;
    }

    int get(int row, int position) {
        return rows[row][position];
    }

    /** The backing row; entries from {@link #length()} on are not part of the sequence. */
    int[] row(int row) {
        return rows[row];
    }

    int last(int row) {
        return rows[row][length - 1];
    }

    /** A copy of positions [from, length) of a row. */
    int[] copy(int row, int from) {
        return java.util.Arrays.copyOfRange(rows[row], from, length);
    }

    void append(int[] tokens) {
        if (length == rows[0].length) {
            for (int i = 0; i < rows.length; i++) {
                rows[i] = java.util.Arrays.copyOf(rows[i], Math.max(1, length * 2));
            }
        }
        for (int i = 0; i < rows.length; i++) {
            rows[i][length] = tokens[i];
        }
        length++;
    }

    /** Row i becomes a copy of old row {@code sources[i]}. */
    void reorder(int[] sources) {
        int[][] next = new int[sources.length][];
        for (int i = 0; i < sources.length; i++) {
            next[i] = rows[sources[i]].clone();
        }
        rows = next;
    }
}
