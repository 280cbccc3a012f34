package dev.idefics4j.tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits text on added tokens, leftmost match first and the longest one where several start at the same place (what
 * both transformers' trie and the tokenizers library's leftmost-longest automaton do), honouring lstrip / rstrip.
 */
final class AddedTokenSplitter {
    /** A run of text ({@code token == null}) or one matched added token. */
    record Segment(String text, AddedToken token) {
        boolean isToken() {
            return token != null;
        }
    }

    /** Tokens by their first char, longest first, so the first hit at a position is the longest. */
    private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();

    AddedTokenSplitter(Collection<AddedToken> tokens) {
        for (AddedToken t : tokens) {
            byFirstChar.computeIfAbsent(t.content().charAt(0), c -> new ArrayList<>()).add(t);
        }
        Comparator<AddedToken> longestFirst = Comparator.comparingInt(t -> -t.content().length());
        byFirstChar.values().forEach(list -> list.sort(longestFirst));
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    List<Segment> split(String text) {
        List<Segment> out = new ArrayList<>();
        int textStart = 0;
        int i = 0;
        while (i < text.length()) {
            AddedToken match = matchAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            int textEnd = i;
            if (match.lstrip()) {
                while (textEnd > textStart && isSpace(text.charAt(textEnd - 1))) {
                    textEnd--;
                }
            }
            if (textEnd > textStart) {
                out.add(new Segment(text.substring(textStart, textEnd), null));
            }
            out.add(new Segment(match.content(), match));
            i += match.content().length();
            if (match.rstrip()) {
                while (i < text.length() && isSpace(text.charAt(i))) {
                    i++;
                }
            }
            textStart = i;
        }
        if (textStart < text.length()) {
            out.add(new Segment(text.substring(textStart), null));
        }
        return out;
    }

    private AddedToken matchAt(String text, int i) {
        List<AddedToken> candidates = byFirstChar.get(text.charAt(i));
        if (candidates != null) {
            for (AddedToken t : candidates) {
                if (text.startsWith(t.content(), i)) {
                    return t;
                }
            }
        }
        return null;
    }

    /** Python's {@code str.isspace} for one char (what transformers strips with). */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
