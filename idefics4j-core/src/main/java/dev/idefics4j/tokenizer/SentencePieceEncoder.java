package dev.idefics4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece's BPE encoding ({@code bpe_model.cc} and the byte fallback of {@code SentencePieceProcessor::Encode}):
 * normalize, split into characters, then repeatedly merge the adjacent pair whose merged piece has the highest score
 * (the leftmost on ties), using a priority queue over a linked list of symbols, O(n log n).
 */
final class SentencePieceEncoder {
    static final char SPACE_SYMBOL = '\u2581';

    private final SentencePieceModel model;

    SentencePieceEncoder(SentencePieceModel model) {
        this.model = model;
    }

    /** Appends the ids of {@code text} (one run of text, no added tokens in it) to {@code out}. */
    void encode(String text, IntArrayBuilder out) {
        String normalized = normalize(text);
        if (normalized.isEmpty()) {
            return;
        }
        new Merger(normalized).run(out);
    }

    /**
     * The identity normalizer with the dummy prefix and spaces escaped as U+2581 (remove_extra_whitespaces off).
     * The text must hold no unpaired surrogate (see {@link Utf8#encodable}).
     */
    String normalize(String text) {
        if (text.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length() + 1);
        if (model.addDummyPrefix()) {
            sb.append(model.escapeWhitespaces() ? SPACE_SYMBOL : ' ');
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' && model.escapeWhitespaces()) {
                sb.append(SPACE_SYMBOL);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A candidate merge of symbols {@code left} and {@code right}, valid while their combined length is {@code length}. */
    private record Candidate(float score, int left, int right, int length) {
    }

    /** One BPE run over a normalized string; symbols are [begin, end) ranges of it, linked through prev/next. */
    private final class Merger {
        private final String text;
        private final int[] begin;
        private final int[] end;
        private final int[] prev;
        private final int[] next;
        private final boolean[] frozen;
        private final PriorityQueue<Candidate> agenda = new PriorityQueue<>(
                (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        /** For UNUSED pieces: the two pieces they were merged from, to split them again (SentencePiece's rev_merge). */
        private final Map<String, String[]> revMerge = new HashMap<>();

        Merger(String text) {
            this.text = text;
            int n = text.length();
            begin = new int[n];
            end = new int[n];
            prev = new int[n];
            next = new int[n];
            frozen = new boolean[n];
            int count = 0;
            List<String> userDefined = model.userDefinedSymbols();
            for (int pos = 0; pos < n; count++) {
                int len = longestUserDefined(userDefined, pos);
                frozen[count] = len > 0;
                if (len == 0) {
                    len = Character.charCount(text.codePointAt(pos));
                }
                begin[count] = pos;
                end[count] = pos + len;
                prev[count] = count - 1;
                next[count] = pos + len < n ? count + 1 : -1;
                pos += len;
            }
            for (int i = 0; i + 1 < count; i++) {
                addCandidate(i, i + 1);
            }
        }

        private int longestUserDefined(List<String> userDefined, int pos) {
            int best = 0;
            for (String s : userDefined) {
                if (s.length() > best && text.startsWith(s, pos)) {
                    best = s.length();
                }
            }
            return best;
        }

        private void addCandidate(int left, int right) {
            if (left < 0 || right < 0 || frozen[left] || frozen[right]) {
                return;
            }
            String piece = text.substring(begin[left], end[right]);
            int id = model.mergeableId(piece);
            if (id < 0) {
                return;
            }
            agenda.add(new Candidate(model.score(id), left, right, piece.length()));
            if (model.isUnused(id)) {
                revMerge.put(piece, new String[] {
                        text.substring(begin[left], end[left]), text.substring(begin[right], end[right])});
            }
        }

        void run(IntArrayBuilder out) {
            while (!agenda.isEmpty()) {
                Candidate top = agenda.poll();
                int l = top.left;
                int r = top.right;
                int lenL = end[l] - begin[l];
                int lenR = end[r] - begin[r];
                // Stale: one side was merged away or grew since this candidate was queued.
                if (lenL == 0 || lenR == 0 || lenL + lenR != top.length) {
                    continue;
                }
                end[l] = end[r];
                end[r] = begin[r];
                next[l] = next[r];
                if (next[r] >= 0) {
                    prev[next[r]] = l;
                }
                addCandidate(prev[l], l);
                addCandidate(l, next[l]);
            }
            for (int i = 0; i >= 0; i = next[i]) {
                emit(text.substring(begin[i], end[i]), out);
            }
        }

        /** Outputs a piece, splitting UNUSED pieces back into their parts and unknown ones into bytes. */
        private void emit(String piece, IntArrayBuilder out) {
            int id = model.pieceToId(piece);
            if (model.isUnused(id)) {
                String[] parts = revMerge.get(piece);
                if (parts != null) {
                    emit(parts[0], out);
                    emit(parts[1], out);
                    return;
                }
            }
            if (model.isUnknown(id) && model.byteFallback()) {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    out.add(model.byteId(b & 0xff));
                }
            } else {
                out.add(id);
            }
        }
    }
}
