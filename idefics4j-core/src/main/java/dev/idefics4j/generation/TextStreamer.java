package dev.idefics4j.generation;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Streams generated text per row as it grows. Each row's new tokens are decoded together and only the text past
 * what was already delivered is passed on, so decoders that merge pieces (spaces, byte-fallback bytes) stay
 * consistent. A character spread over several byte-fallback tokens decodes to U+FFFD until its last byte arrives:
 * trailing U+FFFD is held back until more tokens complete it, or until the row finishes.
 */
public final class TextStreamer implements GenerationListener {
    /** Receives text as it becomes final. */
    @FunctionalInterface
    public interface TextSink {
        /** More text of a row; {@code finished} once the row will receive no more. */
        void accept(int row, String text, boolean finished);
    }

    private static final char REPLACEMENT = '\uFFFD';

    private final Function<int[], String> decode;
    private final TextSink sink;
    private int[][] tokens = new int[0][];
    private int[] counts = new int[0];
    private int[] delivered = new int[0];
    private boolean[] done = new boolean[0];

    /** @param decode turns a row's new token ids into text (e.g. the tokenizer's decode, special tokens skipped) */
    public TextStreamer(Function<int[], String> decode, TextSink sink) {
        this.decode = decode;
        this.sink = sink;
    }

    @Override
    public void onTokens(int step, int[] next, boolean[] finished) {
        if (tokens.length != next.length) {
            tokens = new int[next.length][16];
            counts = new int[next.length];
            delivered = new int[next.length];
            done = new boolean[next.length];
        }
        for (int r = 0; r < next.length; r++) {
            if (done[r]) {
                continue; // padding after the row finished
            }
            if (counts[r] == tokens[r].length) {
                tokens[r] = Arrays.copyOf(tokens[r], counts[r] * 2);
            }
            tokens[r][counts[r]++] = next[r];
            done[r] = finished[r];
            emit(r, done[r]);
        }
    }

    @Override
    public void onFinish(List<GenerationResult> results) {
        for (int r = 0; r < done.length; r++) {
            if (!done[r]) {
                done[r] = true;
                emit(r, true);
            }
        }
        tokens = new int[0][]; // ready for the next generation
    }

    private void emit(int row, boolean last) {
        String text = decode.apply(Arrays.copyOf(tokens[row], counts[row]));
        int end = text.length();
        if (!last) {
            while (end > delivered[row] && text.charAt(end - 1) == REPLACEMENT) {
                end--;
            }
        }
        if (end > delivered[row] || last) {
            String chunk = end > delivered[row] ? text.substring(delivered[row], end) : "";
            delivered[row] = Math.max(delivered[row], end);
            sink.accept(row, chunk, last);
        }
    }
}
