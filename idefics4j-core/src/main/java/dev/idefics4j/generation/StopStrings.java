package dev.idefics4j.generation;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The {@code stop} strings criterion: a row stops when one of the strings appears in its decoded text and overlaps
 * its last token (the reference's StopStringCriteria: a token that completes a stop string, with overhang on either
 * side, stops; an occurrence that ended before the last token has already stopped the row). Only a window of
 * trailing tokens long enough to hold any stop string is decoded.
 */
final class StopStrings {
    private final List<String> stops;
    private final GenerationTokenizer tokenizer;
    private final int window;

    StopStrings(List<String> stops, GenerationTokenizer tokenizer) {
        this.stops = List.copyOf(stops);
        this.tokenizer = tokenizer;
        int longest = 0;
        for (String s : stops) {
            longest = Math.max(longest, s.getBytes(StandardCharsets.UTF_8).length);
        }
        // Every token holds at least one byte; one more token in front absorbs a decoder's leading-space strip.
        this.window = longest + 2;
    }

    boolean matches(Sequences ids, int row) {
        int len = ids.length();
        int[] tail = ids.copy(row, Math.max(0, len - window));
        String text = tokenizer.decode(tail);
        String before = tokenizer.decode(java.util.Arrays.copyOf(tail, tail.length - 1));
        int lastTokenStart = commonPrefix(text, before);
        for (String s : stops) {
            if (text.indexOf(s, Math.max(0, lastTokenStart - s.length() + 1)) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }
}
