package dev.idefics4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The BPE model of the tokenizers library ({@code models/bpe}): a word starts as its characters (unknown ones as
 * {@code <0xNN>} byte tokens, or a fused unknown token), then the pair with the lowest merge rank (the leftmost on
 * ties) is merged until no pair merges, using a priority queue over a linked list of symbols.
 */
final class MergeBpe {
    private final Map<String, Integer> vocab;
    private final MergeTable merges;
    /** -1 when the model has no unknown token (unknown characters are then dropped). */
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    /** Id of {@code <0xNN>} for every byte, -1 where the vocabulary lacks it. */
    private final int[] byteIds = new int[256];

    MergeBpe(Map<String, Integer> vocab, MergeTable merges, int unkId, boolean fuseUnk, boolean byteFallback,
             boolean ignoreMerges) {
        this.vocab = vocab;
        this.merges = merges;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(BytePieces.format(b));
            byteIds[b] = id == null ? -1 : id;
        }
    }

    /** Appends the ids of one pre-tokenized, normalized word to {@code out}. */
    void tokenize(String word, IntArrayBuilder out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        int[] symbols = initialSymbols(word);
        mergeAll(symbols, out);
    }

    /** The ids of the word's characters before any merge. */
    private int[] initialSymbols(String word) {
        IntArrayBuilder ids = new IntArrayBuilder(word.length());
        boolean unkPending = false;
        for (int i = 0; i < word.length(); ) {
            int n = Character.charCount(word.codePointAt(i));
            String c = word.substring(i, i + n);
            i += n;
            Integer id = vocab.get(c);
            if (id != null) {
                if (unkPending) {
                    ids.add(unkId);
                    unkPending = false;
                }
                ids.add(id);
                continue;
            }
            if (byteFallback && addBytes(c, ids)) {
                continue;
            }
            if (unkId >= 0) {
                if (unkPending && !fuseUnk) {
                    ids.add(unkId);
                }
                unkPending = true;
            }
        }
        if (unkPending) {
            ids.add(unkId);
        }
        return ids.toArray();
    }

    /** Adds the byte tokens of {@code c} when the vocabulary has all of them (tokenizers' byte_fallback). */
    private boolean addBytes(String c, IntArrayBuilder ids) {
        byte[] bytes = c.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteIds[b & 0xff] < 0) {
                return false;
            }
        }
        for (byte b : bytes) {
            ids.add(byteIds[b & 0xff]);
        }
        return true;
    }

    /** A queued merge of the symbol at {@code pos} with its right neighbour into {@code mergedId}. */
    private record Merge(int rank, int pos, int mergedId) {
    }

    /** tokenizers' {@code Word::merge_all} without dropout. */
    private void mergeAll(int[] c, IntArrayBuilder out) {
        int n = c.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] removed = new boolean[n];
        PriorityQueue<Merge> queue = new PriorityQueue<>(
                (a, b) -> a.rank != b.rank ? Integer.compare(a.rank, b.rank) : Integer.compare(a.pos, b.pos));
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n) {
                queue(queue, i, c[i], c[i + 1]);
            }
        }
        while (!queue.isEmpty()) {
            Merge top = queue.poll();
            int pos = top.pos;
            if (removed[pos] || next[pos] < 0) {
                continue;
            }
            int right = next[pos];
            // Expired entry: the pair at pos changed since it was queued.
            if (merges.mergedId(c[pos], c[right]) != top.mergedId) {
                continue;
            }
            c[pos] = top.mergedId;
            next[pos] = next[right];
            removed[right] = true;
            if (next[right] >= 0) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                queue(queue, prev[pos], c[prev[pos]], c[pos]);
            }
            if (next[pos] >= 0) {
                queue(queue, pos, c[pos], c[next[pos]]);
            }
        }
        for (int i = 0; i < n; i++) {
            if (!removed[i]) {
                out.add(c[i]);
            }
        }
    }

    private void queue(PriorityQueue<Merge> queue, int pos, int left, int right) {
        int rank = merges.rank(left, right);
        if (rank >= 0) {
            queue.add(new Merge(rank, pos, merges.mergedId(left, right)));
        }
    }
}
